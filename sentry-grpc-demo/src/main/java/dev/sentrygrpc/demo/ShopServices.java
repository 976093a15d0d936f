package dev.sentrygrpc.demo;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.demo.shop.OrderRequest;
import dev.sentrygrpc.demo.shop.OrderServiceGrpc;
import dev.sentrygrpc.demo.shop.StockQuery;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.sentry.Sentry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The three services, each a real Netty server on its own ephemeral port of 127.0.0.1, wired the
 * way the library's README tells users to: the server interceptor on every server, the client
 * interceptor on every channel that leaves a traced process.
 */
final class ShopServices implements AutoCloseable {

  /**
   * How long OrderService waits for a charge: the slow test card takes much longer. Not tighter:
   * the first exception the SDK captures in a fresh JVM loads many classes (and may look up the
   * host name), and the buggy card's call must fail with its exception, not with this deadline,
   * even on a slow, busy machine.
   */
  static final Duration PAYMENT_TIMEOUT = Duration.ofSeconds(1);

  /**
   * The library's options, one line more than its defaults: RPC metrics on, so every call is
   * counted per method and status (the demo's "Every call" table), however few are sampled.
   */
  static final SentryGrpcOptions SENTRY_GRPC = SentryGrpcOptions.builder().metrics(true).build();

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  private final Server orders;
  private final Server inventory;
  private final Server payment;

  private ShopServices() {
    try {
      inventory = serve(new InventoryServiceImpl());
      payment = serve(new PaymentServiceImpl());
      ManagedChannel toInventory = connect(inventory.getPort());
      // Declined payments are worth watching: OrderService captures them, one issue per reason.
      ManagedChannel toPayment =
          connect(
              payment.getPort(),
              SENTRY_GRPC.toBuilder()
                  .capturedClientStatusCodes(Status.Code.FAILED_PRECONDITION)
                  .build());
      orders = serve(new OrderServiceImpl(toInventory, toPayment, PAYMENT_TIMEOUT));
    } catch (IOException | RuntimeException e) {
      close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Starts the three servers. */
  static ShopServices start() {
    return new ShopServices();
  }

  int ordersPort() {
    return orders.getPort();
  }

  int inventoryPort() {
    return inventory.getPort();
  }

  int paymentPort() {
    return payment.getPort();
  }

  /** A channel to OrderService for the storefront, with the client interceptor. */
  ManagedChannel connectStorefront() {
    return connect(ordersPort());
  }

  /**
   * One untraced order through every service before Sentry is initialised: connects the channels
   * and loads the classes of the call path, so the first traced checkout shows the shop's timing
   * rather than the JVM's start-up, and does not run into the payment deadline by accident.
   * Without an initialised SDK the interceptors let calls through untouched, so this leaves no
   * transaction behind.
   */
  void warmUp() {
    if (Sentry.isEnabled()) {
      return; // It would be traced: better a slow first checkout than a stray trace.
    }
    ManagedChannel channel = connectStorefront();
    try {
      OrderServiceGrpc.OrderServiceBlockingStub orderService =
          OrderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      orderService.placeOrder(
          OrderRequest.newBuilder()
              .setOrderId("warm-up")
              .setSku(Catalog.MUG)
              .setQuantity(1)
              .setCard(Catalog.GOOD_CARD)
              .build());
      orderService
          .watchStock(StockQuery.newBuilder().addSkus(Catalog.MUG).build())
          .forEachRemaining(level -> {});
    } catch (StatusRuntimeException e) {
      // Only a warm-up: the scripted run will show whatever is wrong.
    } finally {
      channels.remove(channel);
      channel.shutdownNow();
    }
  }

  private Server serve(BindableService service) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(service)
            // So `grpcurl -plaintext 127.0.0.1:PORT list` works with --serve; the interceptor
            // ignores reflection calls by default.
            .addService(ProtoReflectionServiceV1.newInstance())
            // Added last, so it runs first and sees whatever later interceptors would do.
            .intercept(new SentryServerInterceptor(SENTRY_GRPC))
            .build()
            .start();
    servers.add(server);
    return server;
  }

  private ManagedChannel connect(int port) {
    return connect(port, SENTRY_GRPC);
  }

  private ManagedChannel connect(int port, SentryGrpcOptions options) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .intercept(new SentryClientInterceptor(options))
            .build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (Server server : servers) {
      server.shutdownNow();
    }
    try {
      for (Server server : servers) {
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

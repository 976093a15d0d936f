package dev.sentrygrpc.armeria;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.conformance.InvalidOrderException;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.conformance.StorefrontService;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.protobuf.services.HealthStatusManager;
import io.sentry.Sentry;
import java.net.ServerSocket;

/**
 * The conformance application on Armeria, set up exactly as the README's Armeria section shows
 * (the marked regions are that section's code; {@link ReadmeArmeriaSectionTest} keeps the two
 * equal): Armeria's {@code Server} serving the kit's Orders and Storefront through {@code
 * GrpcService}, Storefront calling Orders through a {@code GrpcClients} stub, Sentry set up with
 * the local receiver's DSN.
 */
final class ArmeriaApplication implements AutoCloseable {
  final SentryReceiver receiver;
  final Server server;
  /** A channel to the server from Armeria's client, with the Sentry client interceptor. */
  final Channel channel;

  private ArmeriaApplication(SentryReceiver receiver, Server server, Channel channel) {
    this.receiver = receiver;
    this.server = server;
    this.channel = channel;
  }

  /**
   * @param blockingTaskExecutor whether the services run on Armeria's blocking task executor
   *     instead of its event loop
   */
  static ArmeriaApplication start(boolean blockingTaskExecutor) throws Exception {
    SentryReceiver receiver = SentryReceiver.start();
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
        });
    int port = freePort();

    // readme:armeria-client:start
    OrdersGrpc.OrdersStub orders = GrpcClients.builder("http://127.0.0.1:" + port)
        .intercept(new SentryClientInterceptor())
        .build(OrdersGrpc.OrdersStub.class);
    // readme:armeria-client:end

    Server server = serve(port, blockingTaskExecutor, new StorefrontService(() -> orders));
    return new ArmeriaApplication(receiver, server, orders.getChannel());
  }

  private static Server serve(int port, boolean blockingTaskExecutor, StorefrontService storefront) {
    // readme:armeria-server:start
    // Your exception mapping, if any (without one: ArmeriaGrpcExceptionStatus.of()).
    GrpcExceptionHandlerFunction exceptionHandler = (ctx, status, cause, metadata) ->
        cause instanceof InvalidOrderException ? Status.INVALID_ARGUMENT.withCause(cause) : null;
    SentryGrpcOptions sentry = SentryGrpcOptions.builder()
        .exceptionStatus(ArmeriaGrpcExceptionStatus.of(exceptionHandler))
        .build();
    Server server = Server.builder()
        .http(port)
        .service(GrpcService.builder()
            .addService(new ArmeriaOrdersService())
            .addService(storefront)
            .addService(new HealthStatusManager().getHealthService())
            .exceptionHandler(exceptionHandler)
            .intercept(new RefusingInterceptor())
            .intercept(new SentryServerInterceptor(sentry))   // added last: runs first
            .useBlockingTaskExecutor(blockingTaskExecutor)    // default: the event loop
            .enableUnframedRequests(true)                     // optional: plain HTTP clients
            .build())
        .build();
    server.start().join();
    // readme:armeria-server:end
    return server;
  }

  @Override
  public void close() {
    server.stop().join();
    Sentry.close();
    receiver.close();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package dev.sentrygrpc.conformance;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.sentry.Sentry;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance cases on grpc-java's own Netty server and channel with the interceptors added
 * by hand, as the README shows: the baseline every framework module is held to.
 */
class GrpcJavaConformanceTest extends FrameworkConformanceTest {
  private static SentryReceiver receiver;
  private static Server server;
  private static ManagedChannel channel;

  @BeforeAll
  static void startApplication() throws Exception {
    receiver = SentryReceiver.start();
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
        });
    SentryClientInterceptor client = new SentryClientInterceptor();
    int port = freePort();
    ManagedChannel toSelf =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().intercept(client).build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new OrdersService())
            .addService(new StorefrontService(() -> OrdersGrpc.newStub(toSelf)))
            .addService(new HealthStatusManager().getHealthService())
            .intercept(new SentryServerInterceptor())
            .build()
            .start();
    channel = toSelf;
  }

  @AfterAll
  static void stopApplication() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Sentry.close();
    receiver.close();
  }

  @Override
  protected SentryReceiver receiver() {
    return receiver;
  }

  @Override
  protected Channel channel() {
    return channel;
  }

  @Override
  protected Channel healthChannel() {
    return channel;
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

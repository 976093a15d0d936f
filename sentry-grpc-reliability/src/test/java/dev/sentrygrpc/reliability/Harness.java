package dev.sentrygrpc.reliability;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty server on loopback with the Sentry server interceptor, a channel to it, and the SDK
 * initialised against a local receiver with its real HTTP transport.
 */
final class Harness implements AutoCloseable {
  final ReliabilityService service;
  final Server server;
  final ManagedChannel channel;

  private Harness(ReliabilityService service, Server server, ManagedChannel channel) {
    this.service = service;
    this.server = server;
    this.channel = channel;
  }

  /** Sentry against the receiver, sampling everything, with room in the queue for bursts. */
  static void initSentry(SentryReceiver receiver, Sentry.OptionsConfiguration<SentryOptions> extra) {
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
          options.setEnableExternalConfiguration(false);
          // The SDK queues at most 30 envelopes by default and drops the rest under a burst.
          // Thousands of calls in seconds need room; see "Production notes" in the README.
          options.setMaxQueueSize(20_000);
          options.setFlushTimeoutMillis(10_000);
          extra.configure(options);
        });
  }

  static Harness start(Executor serverExecutor, SentryGrpcOptions options, boolean clientInterceptor) {
    return start(serverExecutor, options, clientInterceptor ? new SentryClientInterceptor(options) : null);
  }

  static Harness start(Executor serverExecutor, SentryGrpcOptions options, ClientInterceptor client) {
    ReliabilityService service = new ReliabilityService();
    NettyServerBuilder serverBuilder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, new SentryServerInterceptor(options)));
    if (serverExecutor == null) {
      serverBuilder.directExecutor();
    } else {
      serverBuilder.executor(serverExecutor);
    }
    Server server;
    try {
      server = serverBuilder.build().start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    NettyChannelBuilder channelBuilder =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext();
    if (client != null) {
      channelBuilder.intercept(client);
    }
    return new Harness(service, server, channelBuilder.build());
  }

  EchoServiceGrpc.EchoServiceBlockingStub blocking() {
    return EchoServiceGrpc.newBlockingStub(channel);
  }

  EchoServiceGrpc.EchoServiceStub async() {
    return EchoServiceGrpc.newStub(channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}

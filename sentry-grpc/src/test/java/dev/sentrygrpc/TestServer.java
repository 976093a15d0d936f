package dev.sentrygrpc;

import dev.sentrygrpc.testservice.EchoServiceGrpc;
import dev.sentrygrpc.testservice.WarmUp;
import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** A real gRPC server and a channel to it: in-process, or Netty on loopback. */
final class TestServer implements AutoCloseable {
  enum Transport {
    IN_PROCESS,
    NETTY
  }

  final Server server;
  final ManagedChannel channel;
  final EchoService service;

  private TestServer(Server server, ManagedChannel channel, EchoService service) {
    this.server = server;
    this.channel = channel;
    this.service = service;
  }

  static Builder builder() {
    return new Builder();
  }

  static TestServer start(ServerInterceptor... interceptors) {
    return builder().serverInterceptors(interceptors).start();
  }

  EchoServiceGrpc.EchoServiceBlockingStub blocking() {
    return EchoServiceGrpc.newBlockingStub(channel);
  }

  EchoServiceGrpc.EchoServiceStub async() {
    return EchoServiceGrpc.newStub(channel);
  }

  /** Opens the connection first (see {@link WarmUp}); for deadline cases. */
  TestServer warmUp() {
    WarmUp.connect(channel);
    return this;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  static final class Builder {
    private Transport transport = Transport.IN_PROCESS;
    private List<ServerInterceptor> serverInterceptors = new ArrayList<>();
    private List<ClientInterceptor> clientInterceptors = new ArrayList<>();
    private List<BindableService> extraServices = new ArrayList<>();
    private Executor executor;
    private EchoService service = new EchoService();

    Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /** Interceptors in ServerInterceptors.intercept order: the last one runs first. */
    Builder serverInterceptors(ServerInterceptor... interceptors) {
      this.serverInterceptors = Arrays.asList(interceptors);
      return this;
    }

    /** Interceptors in ManagedChannelBuilder.intercept order: the last one runs first. */
    Builder clientInterceptors(ClientInterceptor... interceptors) {
      this.clientInterceptors = Arrays.asList(interceptors);
      return this;
    }

    Builder addService(BindableService service) {
      extraServices.add(service);
      return this;
    }

    Builder service(EchoService service) {
      this.service = service;
      return this;
    }

    /** The server's executor; null for a direct executor. */
    Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    TestServer start() {
      try {
        return transport == Transport.NETTY ? startNetty() : startInProcess();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private TestServer startInProcess() throws IOException {
      String name = InProcessServerBuilder.generateName();
      InProcessServerBuilder serverBuilder = InProcessServerBuilder.forName(name);
      configure(serverBuilder);
      Server server = serverBuilder.build().start();
      InProcessChannelBuilder channelBuilder = InProcessChannelBuilder.forName(name).directExecutor();
      channelBuilder.intercept(clientInterceptors);
      return new TestServer(server, channelBuilder.build(), service);
    }

    private TestServer startNetty() throws IOException {
      NettyServerBuilder serverBuilder =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
      configure(serverBuilder);
      Server server = serverBuilder.build().start();
      NettyChannelBuilder channelBuilder =
          NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext();
      channelBuilder.intercept(clientInterceptors);
      return new TestServer(server, channelBuilder.build(), service);
    }

    private void configure(io.grpc.ServerBuilder<?> serverBuilder) {
      serverBuilder.addService(ServerInterceptors.intercept(service, serverInterceptors));
      for (BindableService extra : extraServices) {
        serverBuilder.addService(ServerInterceptors.intercept(extra, serverInterceptors));
      }
      if (executor == null) {
        serverBuilder.directExecutor();
      } else {
        serverBuilder.executor(executor);
      }
    }
  }
}

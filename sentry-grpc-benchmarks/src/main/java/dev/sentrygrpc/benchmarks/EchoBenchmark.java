package dev.sentrygrpc.benchmarks;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every RPC benchmark shares: the mode, its {@link Rig}, an {@link EchoService} server and a
 * channel to it, both instrumented as the mode says. A benchmark picks its transport and builds
 * its stub in {@link #connected}; everything else, set-up to tear-down, is here.
 */
@State(Scope.Thread)
public abstract class EchoBenchmark {
  /** How client and server reach each other. */
  enum Transport {
    /** In-process, client and server on direct executors: the whole call on the caller's thread. */
    IN_PROCESS {
      @Override
      ServerBuilder<?> server(String name) {
        return InProcessServerBuilder.forName(name).directExecutor();
      }

      @Override
      ManagedChannel channel(String name, Server server) {
        return InProcessChannelBuilder.forName(name).directExecutor().build();
      }
    },
    /**
     * Netty on 127.0.0.1, plaintext HTTP/2, one connection; the handler runs on the server's
     * event loop (the echo handler never blocks).
     */
    NETTY_LOOPBACK {
      @Override
      ServerBuilder<?> server(String name) {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor();
      }

      @Override
      ManagedChannel channel(String name, Server server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
      }
    };

    abstract ServerBuilder<?> server(String name);

    abstract ManagedChannel channel(String name, Server server);
  }

  @Param({
    Modes.NONE,
    Modes.FORWARDING,
    Modes.SENTRY_DISABLED,
    Modes.ERRORS_ONLY,
    Modes.UNSAMPLED,
    Modes.SAMPLED,
    Modes.SAMPLED_HTTP,
    Modes.STALLED_BACKEND,
    Modes.OTEL
  })
  public String mode;

  Rig rig;
  private Server server;
  private ManagedChannel channel;

  /** The transport of this benchmark; in-process unless it says otherwise. */
  Transport transport() {
    return Transport.IN_PROCESS;
  }

  /** The service the server runs; the echo service unless a benchmark needs another answer. */
  BindableService service() {
    return new EchoService();
  }

  /** Builds what the op uses from the client side of the channel, interceptors included. */
  abstract void connected(Channel client);

  /** Ends what {@link #connected} started, before the channel closes; nothing by default. */
  void disconnecting() throws InterruptedException {}

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    rig = Rig.create(mode);
    String name = getClass().getSimpleName() + "-" + UUID.randomUUID();
    Transport transport = transport();
    server = transport.server(name).addService(rig.service(service())).build().start();
    channel = transport.channel(name, server);
    connected(rig.channel(channel));
  }

  /** JMH may change threads between iterations: the caller's scopes go with each one. */
  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    disconnecting();
    System.out.println("[" + getClass().getSimpleName() + "] " + rig.stats());
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    rig.close();
  }
}

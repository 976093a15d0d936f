package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One unary call per op over Netty on 127.0.0.1 (plaintext HTTP/2, one connection): a real
 * transport, with its event-loop threads. The server runs the handler on its event loop
 * (directExecutor: the echo handler never blocks); the client is a blocking stub.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UnaryNetty {
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

  private Rig rig;
  private Server server;
  private ManagedChannel channel;
  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    rig = Rig.create(mode);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(rig.service(new EchoService()))
            .build()
            .start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = EchoServiceGrpc.newBlockingStub(rig.channel(channel));
  }

  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  @Benchmark
  public EchoReply call() {
    EchoReply reply = stub.unary(UnaryInProcess.REQUEST);
    rig.afterCall();
    return reply;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    System.out.println("[" + getClass().getSimpleName() + "] " + rig.stats());
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    rig.close();
  }
}

package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.UUID;
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
 * One unary call per op on the in-process transport, client and server on direct executors: the
 * whole call runs on the benchmark thread, so the time is gRPC's own CPU work plus the
 * instrumentation's, with no thread hand-offs (like grpc-java's own TransportBenchmark).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UnaryInProcess {
  static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("ping").build();

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
    String name = "unary-" + UUID.randomUUID();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(rig.service(new EchoService()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = EchoServiceGrpc.newBlockingStub(rig.channel(channel));
  }

  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  @Benchmark
  public EchoReply call() {
    EchoReply reply = stub.unary(REQUEST);
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

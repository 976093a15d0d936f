package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
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
 * Ping-pong on ONE open bidi stream, in-process, direct executors: per op the client sends one
 * message and the server answers with one. The stream is opened in setup and closed in teardown,
 * so this measures the instrumentation's per-message cost on a long-lived stream (the per-call cost
 * is the unary benchmarks' business). With direct executors the reply arrives before onNext
 * returns; the op checks that it did.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BidiPingPong {
  static final EchoRequest PING = EchoRequest.newBuilder().setMessage("ping").build();

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
  private StreamObserver<EchoRequest> pings;
  private volatile long pongs;
  private final CountDownLatch completed = new CountDownLatch(1);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    rig = Rig.create(mode);
    String name = "bidi-" + UUID.randomUUID();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(rig.service(new EchoService()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    rig.enterCallerThread(); // the stream's client span is a child of the caller's span
    pings =
        EchoServiceGrpc.newStub(rig.channel(channel))
            .bidi(
                new StreamObserver<EchoReply>() {
                  @Override
                  public void onNext(EchoReply value) {
                    pongs++; // one writer: the thread that sent the ping
                  }

                  @Override
                  public void onError(Throwable t) {
                    completed.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    completed.countDown();
                  }
                });
  }

  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  @Benchmark
  public long pingPong() {
    long before = pongs;
    pings.onNext(PING);
    long after = pongs;
    if (after == before) {
      throw new IllegalStateException("the reply did not arrive within onNext");
    }
    return after;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    pings.onCompleted();
    completed.await(5, TimeUnit.SECONDS);
    System.out.println("[" + getClass().getSimpleName() + "] pongs=" + pongs + " " + rig.stats());
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    rig.close();
  }
}

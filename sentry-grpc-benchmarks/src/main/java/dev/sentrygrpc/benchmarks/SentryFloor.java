package dev.sentrygrpc.benchmarks;

import io.sentry.ITransaction;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The {@code sentry-floor} mode: {@link Floor#oneCall} per op, no gRPC, with the SDK set up exactly
 * as in {@code sampled} (tracesSampleRate 1.0, discarding transport) and the same caller scopes and
 * parent span as the RPC benchmarks' client.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SentryFloor {
  private Rig rig;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    rig = Rig.create(Modes.SAMPLED);
  }

  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  @Benchmark
  public ITransaction call() {
    ITransaction transaction = Floor.oneCall(rig.clientScopes());
    rig.afterCall();
    return transaction;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.println("[" + getClass().getSimpleName() + "] " + rig.stats());
    rig.close();
  }
}

package dev.sentrygrpc;

import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.Sentry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What RPC metrics cost on the call's thread, alone (issue 16): the clock read at the start of a
 * call, and {@code CallTelemetry.serverCallEnded} at its end (the clock again, the SDK check, the
 * method's statistics, one bucket increment). The whole-call modes {@code errors-only+metrics}
 * and {@code sampled+metrics} measure the same inside a real call, where it drowns in the noise
 * of a 10 µs operation; this measures it to the nanosecond. In package {@code dev.sentrygrpc} for
 * the package-private classes; not part of the library.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsParts {
  private CallTelemetry telemetry;
  private RpcMethod method;
  private IScopes scopes;
  private final Status ok = Status.OK;
  private final Status notFound = Status.NOT_FOUND;

  @Setup
  public void setUp() {
    Sentry.init(
        options -> {
          options.setDsn("http://public@127.0.0.1:9/1");
          options.setTransportFactory((o, r) -> io.sentry.transport.NoOpTransport.getInstance());
          options.setEnableShutdownHook(false);
        });
    scopes = Sentry.getCurrentScopes();
    telemetry = CallTelemetry.create(SentryGrpcOptions.builder().metrics(true).build(), CallSide.SERVER);
    method = new RpcMethods(SentryGrpcOptions.defaults().ignoredMethods()).of(EchoServiceGrpc.getUnaryMethod());
    telemetry.serverCallEnded(scopes, method, ok, 1_000, 1, 1, null, null);
  }

  @TearDown
  public void tearDown() {
    Sentry.close();
  }

  /** One call's metrics on one thread: the start clock, and the end. */
  @Benchmark
  public void call() {
    long start = CallTelemetry.start();
    telemetry.serverCallEnded(scopes, method, ok, CallTelemetry.since(start), 1, 1, (ISpan) null, null);
  }

  /** Two threads recording the same method and code at once: the contended case. */
  @Benchmark
  @Threads(2)
  public void callOnTwoThreads() {
    long start = CallTelemetry.start();
    telemetry.serverCallEnded(scopes, method, notFound, CallTelemetry.since(start), 1, 1, (ISpan) null, null);
  }

  /** The clock alone, twice: what a server call pays before any counting (a client reuses its). */
  @Benchmark
  public long twoClockReads() {
    return System.nanoTime() - System.nanoTime();
  }
}

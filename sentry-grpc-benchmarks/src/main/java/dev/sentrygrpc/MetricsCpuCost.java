package dev.sentrygrpc;

import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.Sentry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The CPU time of what {@link MetricsParts} measures, from the thread's own CPU clock: a guide
 * that a busy machine cannot inflate (JMH measures wall time, which counts the time the thread
 * waited for a core). Not a replacement for the JMH run on a quiet machine.
 *
 * <pre>java -cp sentry-grpc-benchmarks/target/benchmarks.jar dev.sentrygrpc.MetricsCpuCost</pre>
 */
public final class MetricsCpuCost {
  private static volatile long sink;

  private MetricsCpuCost() {}

  public static void main(String[] args) {
    Sentry.init(
        options -> {
          options.setDsn("http://public@127.0.0.1:9/1");
          options.setTransportFactory((o, r) -> io.sentry.transport.NoOpTransport.getInstance());
          options.setEnableShutdownHook(false);
        });
    IScopes scopes = Sentry.getCurrentScopes();
    CallTelemetry telemetry =
        CallTelemetry.create(SentryGrpcOptions.builder().metrics(true).build(), CallSide.SERVER);
    RpcMethod method =
        new RpcMethods(SentryGrpcOptions.defaults().ignoredMethods()).of(EchoServiceGrpc.getUnaryMethod());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int n = 20_000_000;
    for (int round = 1; round <= 5; round++) {
      long before = threads.getCurrentThreadCpuTime();
      long clocks = 0;
      for (int i = 0; i < n; i++) {
        clocks += System.nanoTime() - System.nanoTime();
      }
      long between = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        long start = CallTelemetry.start();
        telemetry.serverCallEnded(scopes, method, Status.OK, CallTelemetry.since(start), 1, 1, (ISpan) null, null);
      }
      long after = threads.getCurrentThreadCpuTime();
      sink = clocks;
      System.out.printf(
          Locale.ROOT,
          "round %d: two clock reads %.1f ns of CPU; a server call's metrics (both clock reads included) %.1f ns%n",
          round,
          (between - before) / (double) n,
          (after - between) / (double) n);
    }
    Sentry.close();
    System.exit(0);
  }
}

package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import dev.sentrygrpc.testing.ReceivedMetrics;
import io.sentry.SpanContext;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every call per method, as the services counted it in their RPC metrics: calls, error rate and
 * latency percentiles, computed from the metric points the receiver got, the way Sentry computes
 * them (each point weighted by its {@code sentry.client_sample_rate}), next to how many of those
 * calls were traced. Pure: metrics in, lines out.
 */
final class MethodTable {
  static final String CALLS = "grpc.server.calls";
  static final String DURATION = "rpc.server.call.duration";

  private MethodTable() {}

  static List<String> render(ReceivedMetrics metrics, List<SentryTransaction> transactions, Style style) {
    List<String> lines = new ArrayList<>();
    ReceivedMetrics calls = metrics.named(CALLS);
    lines.add(
        style.paint(Paint.HEADING, "Every call")
            + style.paint(
                Paint.DIM,
                "  from RPC metrics, whatever the sample rate: "
                    + Summary.count(metrics.size(), "metric point")
                    + " for "
                    + Summary.count((int) calls.sum(), "server call")));
    if (calls.isEmpty()) {
      lines.add("  (no metrics arrived: Sentry's metrics need io.sentry:sentry 8.30.0 or newer)");
      return lines;
    }
    Map<String, Integer> traced = tracedByMethod(transactions);
    lines.add(
        style.paint(
            Paint.DIM,
            String.format(Locale.ROOT, "  %-34s %6s %7s %9s %9s %7s", "method", "calls", "errors", "p50", "p95", "traced")));
    Map<String, ReceivedMetrics> byMethod = new TreeMap<>();
    calls.groupBy("rpc.method").forEach((method, points) -> byMethod.put(String.valueOf(method), points));
    for (Map.Entry<String, ReceivedMetrics> row : byMethod.entrySet()) {
      String method = row.getKey();
      double total = row.getValue().sum();
      double errors = 0;
      for (var point : row.getValue().points()) {
        if (point.attribute("error.type") != null) {
          errors += point.value();
        }
      }
      ReceivedMetrics durations = metrics.named(DURATION).where("rpc.method", method);
      String errorRate = String.format(Locale.ROOT, "%.0f%%", 100 * errors / total);
      lines.add(
          "  "
              + String.format(Locale.ROOT, "%-34s", method)
              + String.format(Locale.ROOT, " %6.0f ", total)
              + style.paint(errors > 0 ? Paint.ERROR : Paint.OK, String.format(Locale.ROOT, "%7s", errorRate))
              + String.format(
                  Locale.ROOT,
                  " %9s %9s %7d",
                  TraceWaterfall.formatDuration(durations.percentile(0.5)),
                  TraceWaterfall.formatDuration(durations.percentile(0.95)),
                  traced.getOrDefault(method, 0)));
    }
    return lines;
  }

  private static Map<String, Integer> tracedByMethod(List<SentryTransaction> transactions) {
    Map<String, Integer> traced = new TreeMap<>();
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace != null && "grpc.server".equals(trace.getOperation())) {
        traced.merge(transaction.getTransaction(), 1, Integer::sum);
      }
    }
    return traced;
  }
}

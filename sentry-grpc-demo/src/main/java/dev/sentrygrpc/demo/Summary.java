package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import io.grpc.MethodDescriptor.MethodType;
import io.sentry.SentryEvent;
import io.sentry.SpanContext;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The short summary printed before the waterfalls: the calls by kind and status, as the storefront
 * saw them and as the services' transactions recorded them, and what Sentry received. Pure, like
 * {@link TraceWaterfall}.
 */
final class Summary {

  private Summary() {}

  static List<String> render(
      ScenarioResult scenario,
      List<SentryTransaction> transactions,
      List<SentryEvent> events,
      Style style) {
    List<String> lines = new ArrayList<>();
    lines.add(style.paint(Paint.HEADING, "Summary"));

    lines.add("  calls the storefront made, by kind and the status it got:");
    Map<MethodType, Map<String, Integer>> client = new EnumMap<>(MethodType.class);
    scenario
        .callsByKindAndStatus()
        .forEach(
            (kind, codes) -> {
              Map<String, Integer> byName = new LinkedHashMap<>();
              codes.forEach((code, count) -> byName.put(code.name(), count));
              client.put(kind, byName);
            });
    addKindTable(lines, client, style);

    lines.add("  calls the services handled, by kind and status (one transaction each, sampled calls only):");
    addKindTable(lines, serverCalls(transactions), style);

    Map<String, Integer> byService = new LinkedHashMap<>();
    int spans = 0;
    Set<String> traces = new LinkedHashSet<>();
    // Services in the order calls reach them (storefront first), not in arrival order.
    List<SentryTransaction> byStart = new ArrayList<>(transactions);
    byStart.sort(Comparator.comparingDouble(SentryTransaction::getStartTimestamp));
    for (SentryTransaction transaction : byStart) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null) {
        continue;
      }
      byService.merge(TraceView.serviceOf(transaction, trace), 1, Integer::sum);
      spans += transaction.getSpans().size();
      traces.add(trace.getTraceId().toString());
    }
    for (SentryEvent event : events) {
      SpanContext trace = event.getContexts().getTrace();
      if (trace != null) {
        traces.add(trace.getTraceId().toString());
      }
    }
    lines.add(
        "  Sentry received: "
            + count(transactions.size(), "transaction")
            + ", "
            + count(spans, "span")
            + ", "
            + style.paint(events.isEmpty() ? Paint.OK : Paint.ERROR_BOLD, count(events.size(), "error event"))
            + ", "
            + count(traces.size(), "trace"));
    if (!byService.isEmpty()) {
      StringBuilder services = new StringBuilder("    transactions by service: ");
      boolean first = true;
      for (Map.Entry<String, Integer> entry : byService.entrySet()) {
        services.append(first ? "" : style.dot()).append(entry.getKey()).append(' ').append(entry.getValue());
        first = false;
      }
      lines.add(services.toString());
    }
    return lines;
  }

  /** Server transactions by their {@code grpc.method_type} and status. */
  static Map<MethodType, Map<String, Integer>> serverCalls(List<SentryTransaction> transactions) {
    Map<MethodType, Map<String, Integer>> byKind = new EnumMap<>(MethodType.class);
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null || !"grpc.server".equals(trace.getOperation()) || trace.getData() == null) {
        continue;
      }
      Object type = trace.getData().get("grpc.method_type");
      MethodType kind;
      try {
        kind = MethodType.valueOf(String.valueOf(type));
      } catch (IllegalArgumentException e) {
        kind = MethodType.UNKNOWN;
      }
      String status = trace.getStatus() == null ? "-" : trace.getStatus().apiName();
      byKind.computeIfAbsent(kind, key -> new TreeMap<>(Summary::okFirst)).merge(status, 1, Integer::sum);
    }
    return byKind;
  }

  private static int okFirst(String a, String b) {
    boolean aOk = a.equalsIgnoreCase("ok");
    boolean bOk = b.equalsIgnoreCase("ok");
    if (aOk != bOk) {
      return aOk ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static void addKindTable(
      List<String> lines, Map<MethodType, Map<String, Integer>> byKind, Style style) {
    if (byKind.isEmpty()) {
      lines.add("    (none)");
      return;
    }
    byKind.forEach(
        (kind, statuses) -> {
          int total = statuses.values().stream().mapToInt(Integer::intValue).sum();
          StringBuilder line = new StringBuilder("    ");
          line.append(String.format(Locale.ROOT, "%-17s %4d   ", kindName(kind), total));
          boolean first = true;
          for (Map.Entry<String, Integer> entry : statuses.entrySet()) {
            if (!first) {
              line.append(style.dot());
            }
            first = false;
            String text = entry.getKey() + " " + entry.getValue();
            line.append(style.paint(statusPaint(entry.getKey()), text));
          }
          lines.add(line.toString());
        });
  }

  static String kindName(MethodType kind) {
    return switch (kind) {
      case UNARY -> "unary";
      case SERVER_STREAMING -> "server streaming";
      case CLIENT_STREAMING -> "client streaming";
      case BIDI_STREAMING -> "bidi streaming";
      default -> "unknown";
    };
  }

  private static Paint statusPaint(String status) {
    if (status.equalsIgnoreCase("ok")) {
      return Paint.OK;
    }
    String code = status.toUpperCase(Locale.ROOT);
    if (code.equals("NOT_FOUND") || code.equals("CANCELLED") || code.equals("FAILED_PRECONDITION")) {
      return Paint.WARN;
    }
    return Paint.ERROR;
  }

  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}

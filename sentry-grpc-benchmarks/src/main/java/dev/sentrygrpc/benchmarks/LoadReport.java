package dev.sentrygrpc.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the load benchmark's {@code results.tsv} into the Markdown of BENCHMARKS.md's load section:
 * a table per rate and the verdicts on issue 18's goals. {@code java -cp benchmarks.jar
 * dev.sentrygrpc.benchmarks.LoadReport results.tsv}.
 */
public final class LoadReport {
  private LoadReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: LoadReport results.tsv");
      System.exit(2);
    }
    System.out.print(render(Paths.get(args[0])));
  }

  static String render(Path tsv) throws IOException {
    List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
    long saturation = -1;
    List<String> header = null;
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("# saturation\t")) {
        saturation = Long.parseLong(line.substring("# saturation\t".length()));
      } else if (header == null) {
        header = Arrays.asList(line.split("\t"));
      } else if (!line.isBlank()) {
        String[] fields = line.split("\t", -1);
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < header.size() && i < fields.length; i++) {
          row.put(header.get(i), fields[i]);
        }
        rows.add(row);
      }
    }
    // rate -> mode -> row
    Map<Integer, Map<String, Map<String, String>>> byRate = new LinkedHashMap<>();
    for (Integer rate : new TreeSet<>(rows.stream().map(r -> rate(r)).toList())) {
      byRate.put(rate, new LinkedHashMap<>());
    }
    for (String mode : LoadBenchmark.MODES) {
      for (Map<String, String> row : rows) {
        if (row.get("mode").equals(mode)) {
          byRate.get(rate(row)).put(mode, row);
        }
      }
    }

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "Saturation rate of the uninstrumented setup S = **%,d calls/s** (mode `none`, closed"
            + " loop, %d calls in flight). Latencies in µs from each call's intended send time"
            + " (unary calls; `stream p99` is the 10-reply server stream, 1 call in %d); CPU and"
            + " allocation per call are the load JVM's (caller, both services, the SDK's sender),"
            + " `receiver CPU` the receiver JVM's; GC is the load JVM's pauses: count / total ms"
            + " / longest ms; `lost` = transactions finished minus transactions the receiver got;"
            + " `client reports` = what the SDK said it discarded (`reason:category=n`, summed"
            + " over the run so far).%n",
        saturation, LoadRun.SATURATION_IN_FLIGHT, LoadRun.STREAM_EVERY));
    for (Map.Entry<Integer, Map<String, Map<String, String>>> step : byRate.entrySet()) {
      int rate = step.getKey();
      out.append(String.format(Locale.ROOT, "%n#### %,d calls/s (%.0f%% of S)%n%n", rate,
          saturation > 0 ? 100.0 * rate / saturation : Double.NaN));
      out.append("| mode | achieved/s | p50 | p90 | p99 | p99.9 | max | stream p99 | CPU µs/call"
          + " | receiver CPU µs/call | KB/call | GC | lost | client reports |\n");
      out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      Map<String, String> none = step.getValue().get("none");
      List<String> notes = new ArrayList<>();
      for (Map.Entry<String, Map<String, String>> entry : step.getValue().entrySet()) {
        Map<String, String> r = entry.getValue();
        String mode = entry.getKey();
        String queue = r.getOrDefault("max_queue_size", "-");
        out.append(String.format(Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s |%n",
            queue.equals("-") ? mode : mode + " (queue " + queue + ")",
            r.get("achieved_rate"),
            r.get("p50_us"), r.get("p90_us"),
            withRatio(r.get("p99_us"), none == null ? null : none.get("p99_us"), mode),
            r.get("p999_us"), r.get("max_us"), r.get("stream_p99_us"),
            withRatio(r.get("cpu_us_per_call"), none == null ? null : none.get("cpu_us_per_call"),
                mode),
            r.get("receiver_cpu_us_per_call"), r.get("alloc_kb_per_call"),
            r.get("gc_count"), r.get("gc_pause_ms"), r.get("gc_max_pause_ms"),
            r.get("transactions_lost"), r.get("client_report_discarded")));
        if (Long.parseLong(r.get("errors")) + Long.parseLong(r.get("shed")) > 0) {
          notes.add(String.format(Locale.ROOT, "`%s`: %s calls failed, %s arrivals shed (over %,d"
              + " in flight)", mode, r.get("errors"), r.get("shed"), LoadRun.MAX_IN_FLIGHT));
        }
      }
      for (String note : notes) {
        out.append("\n- ").append(note);
      }
      if (!notes.isEmpty()) {
        out.append('\n');
      }
    }
    out.append("\n#### Verdicts\n\n");
    verdicts(out, byRate, saturation);
    return out.toString();
  }

  private static void verdicts(
      StringBuilder out, Map<Integer, Map<String, Map<String, String>>> byRate, long saturation) {
    Integer half = null;
    for (Integer rate : byRate.keySet()) {
      if (half == null || Math.abs(rate - saturation / 2.0) < Math.abs(half - saturation / 2.0)) {
        half = rate;
      }
    }
    if (half != null) {
      Map<String, Map<String, String>> at = byRate.get(half);
      Map<String, String> none = at.get("none");
      if (none != null) {
        double noneP99 = number(none.get("p99_us"));
        for (String[] goal :
            new String[][] {
              {"sampled-10", "1.10"}, {"sampled-10-queue", "1.10"}, {"errors-only", "1.05"}
            }) {
          Map<String, String> r = at.get(goal[0]);
          if (r == null) {
            continue;
          }
          double ratio = number(r.get("p99_us")) / noneP99;
          double limit = Double.parseDouble(goal[1]);
          out.append(String.format(Locale.ROOT,
              "- at %,d calls/s (~50%% of S): `%s` p99 %s µs vs `none` %s µs = **×%.2f** (goal ≤"
                  + " ×%s) → **%s**%n",
              half, goal[0], r.get("p99_us"), none.get("p99_us"), ratio, goal[1],
              ratio <= limit ? "met" : "not met"));
        }
      }
    }
    for (String mode : LoadBenchmark.MODES) {
      if (!mode.startsWith("sampled-")) {
        continue;
      }
      Integer first = null;
      Integer highest = null;
      for (Map.Entry<Integer, Map<String, Map<String, String>>> step : byRate.entrySet()) {
        Map<String, String> r = step.getValue().get(mode);
        if (r == null) {
          continue;
        }
        highest = step.getKey();
        String lost = r.get("transactions_lost");
        if (first == null && !lost.equals("-") && Long.parseLong(lost) > 0) {
          first = step.getKey();
        }
      }
      if (highest != null) {
        out.append(first == null
            ? String.format(Locale.ROOT, "- `%s`: no transaction lost up to %,d calls/s%n",
                mode, highest)
            : String.format(Locale.ROOT,
                "- `%s`: loses transactions from **%,d calls/s** on (the lowest rate measured"
                    + " with losses)%n", mode, first));
      }
    }
    for (Map.Entry<Integer, Map<String, Map<String, String>>> step : byRate.entrySet()) {
      Map<String, String> sampled = step.getValue().get("sampled-100");
      Map<String, String> otel = step.getValue().get("otel");
      if (sampled == null || otel == null) {
        continue;
      }
      out.append(String.format(Locale.ROOT,
          "- at %,d calls/s: `sampled-100` vs `otel`: p99 %s vs %s µs (×%.2f), CPU %s vs %s"
              + " µs/call (×%.2f)%n",
          step.getKey(), sampled.get("p99_us"), otel.get("p99_us"),
          number(sampled.get("p99_us")) / number(otel.get("p99_us")),
          sampled.get("cpu_us_per_call"), otel.get("cpu_us_per_call"),
          number(sampled.get("cpu_us_per_call")) / number(otel.get("cpu_us_per_call"))));
    }
  }

  private static String withRatio(String value, String none, String mode) {
    if (none == null || mode.equals("none")) {
      return value;
    }
    return String.format(Locale.ROOT, "%s (×%.2f)", value, number(value) / number(none));
  }

  private static int rate(Map<String, String> row) {
    return Integer.parseInt(row.get("target_rate"));
  }

  private static double number(String text) {
    return text == null || text.equals("-") ? Double.NaN : Double.parseDouble(text);
  }
}

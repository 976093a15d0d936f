package dev.sentrygrpc.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's CSV results ({@code -rf csv -rff results.csv}, run with {@code -prof gc}) into the
 * Markdown tables and goal verdicts of BENCHMARKS.md:
 * {@code java -cp benchmarks.jar dev.sentrygrpc.benchmarks.Report results.csv}.
 */
public final class Report {
  private static final String[] BENCHMARKS = {
    "UnaryInProcess.call",
    "UnaryNetty.call",
    "ServerStream.call",
    "BidiPingPong.pingPong",
    "UnaryFailing.call failure=plain",
    "UnaryFailing.call failure=details"
  };
  private static final String FLOOR = "SentryFloor.call";
  private static final String ALLOC = ":gc.alloc.rate.norm";

  private Report() {}

  /** One score: mean and the 99.9% confidence half-width. */
  static final class Score {
    final double value;
    final double error;

    Score(double value, double error) {
      this.value = value;
      this.error = error;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Report results.csv");
      System.exit(2);
    }
    // key: "<Class.method>[:<metric>]|<mode>"
    Map<String, Score> scores = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
    List<String> header = parse(lines.get(0));
    int modeColumn = header.indexOf("Param: mode");
    int failureColumn = header.indexOf("Param: failure");
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      List<String> row = parse(line);
      String benchmark = row.get(0).replace("dev.sentrygrpc.benchmarks.", "");
      if (failureColumn >= 0 && failureColumn < row.size() && !row.get(failureColumn).isEmpty()) {
        // UnaryFailing's second parameter: one table per value ("UnaryFailing.call failure=plain").
        int metric = benchmark.indexOf(':');
        String name = metric < 0 ? benchmark : benchmark.substring(0, metric);
        String suffix = metric < 0 ? "" : benchmark.substring(metric);
        benchmark = name + " failure=" + row.get(failureColumn) + suffix;
      }
      String mode = modeColumn >= 0 && modeColumn < row.size() ? row.get(modeColumn) : "";
      scores.put(benchmark + "|" + mode, new Score(number(row.get(4)), number(row.get(5))));
    }
    StringBuilder out = new StringBuilder();
    Score floor = scores.get(FLOOR + "|");
    Score floorAlloc = scores.get(FLOOR + ALLOC + "|");
    for (String benchmark : BENCHMARKS) {
      Score none = scores.get(benchmark + "|" + Modes.NONE);
      Score noneAlloc = scores.get(benchmark + ALLOC + "|" + Modes.NONE);
      if (none == null) {
        continue;
      }
      out.append("\n### ").append(benchmark).append("\n\n");
      out.append("| mode | µs/op (± 99.9% CI) | × none | added µs/op | B/op | added B/op |\n");
      out.append("|---|---:|---:|---:|---:|---:|\n");
      for (String mode : Modes.ALL) {
        Score time = scores.get(benchmark + "|" + mode);
        if (time == null) {
          continue;
        }
        Score alloc = scores.get(benchmark + ALLOC + "|" + mode);
        row(out, mode, time, alloc, none, noneAlloc);
      }
      if (benchmark.startsWith("UnaryInProcess") && floor != null) {
        row(out, "sentry-floor (no gRPC)", floor, floorAlloc, null, null);
        Score forwarding = scores.get(benchmark + "|" + Modes.FORWARDING);
        Score forwardingAlloc = scores.get(benchmark + ALLOC + "|" + Modes.FORWARDING);
        if (forwarding != null) {
          row(
              out,
              "sentry-floor + forwarding",
              new Score(floor.value + forwarding.value, floor.error + forwarding.error),
              floorAlloc != null && forwardingAlloc != null
                  ? new Score(floorAlloc.value + forwardingAlloc.value, 0)
                  : null,
              none,
              noneAlloc);
        }
      }
    }
    out.append("\n### Ratios of sampled\n\n");
    out.append("| benchmark | sampled / otel (time) | sampled overhead / otel overhead"
        + " | sampled / sentry-floor | sampled / (sentry-floor + forwarding) |\n");
    out.append("|---|---:|---:|---:|---:|\n");
    for (String benchmark : BENCHMARKS) {
      Score none = scores.get(benchmark + "|" + Modes.NONE);
      Score sampled = scores.get(benchmark + "|" + Modes.SAMPLED);
      Score otel = scores.get(benchmark + "|" + Modes.OTEL);
      Score forwarding = scores.get(benchmark + "|" + Modes.FORWARDING);
      if (none == null || sampled == null || otel == null) {
        continue;
      }
      boolean unary = benchmark.startsWith("UnaryInProcess") && floor != null;
      out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s |%n",
          benchmark,
          sampled.value / otel.value,
          (sampled.value - none.value) / (otel.value - none.value),
          unary ? String.format(Locale.ROOT, "%.2f", sampled.value / floor.value) : "",
          unary && forwarding != null
              ? String.format(Locale.ROOT, "%.3f", sampled.value / (floor.value + forwarding.value))
              : ""));
    }
    out.append("\n### Goals (UnaryInProcess unless said)\n\n");
    goals(out, scores, floor);
    System.out.print(out);
  }

  private static void goals(StringBuilder out, Map<String, Score> s, Score floor) {
    String unary = "UnaryInProcess.call|";
    Score none = s.get(unary + Modes.NONE);
    if (none == null) {
      return;
    }
    for (String mode : new String[] {Modes.ERRORS_ONLY, Modes.UNSAMPLED}) {
      Score m = s.get(unary + mode);
      if (m != null) {
        double ratio = m.value / none.value;
        out.append(String.format(Locale.ROOT,
            "- %s ≤ 1.05 × none: %.3f / %.3f = %.3f → %s%n",
            mode, m.value, none.value, ratio, ratio <= 1.05 ? "MET" : "NOT MET"));
      }
    }
    for (String[] pair :
        new String[][] {
          {Modes.ERRORS_ONLY_METRICS, Modes.ERRORS_ONLY}, {Modes.SAMPLED_METRICS, Modes.SAMPLED}
        }) {
      Score with = s.get(unary + pair[0]);
      Score without = s.get(unary + pair[1]);
      if (with != null && without != null) {
        double added = (with.value - without.value) * 1000;
        out.append(String.format(Locale.ROOT,
            "- RPC metrics add ≤ 100 ns per call (client + server): %s − %s = %.0f ns (± %.0f) → %s%n",
            pair[0], pair[1], added, (with.error + without.error) * 1000, added <= 100 ? "MET" : "NOT MET"));
      }
    }
    Score sampled = s.get(unary + Modes.SAMPLED);
    Score forwarding = s.get(unary + Modes.FORWARDING);
    if (sampled != null && forwarding != null && floor != null) {
      double limit = 1.2 * (floor.value + forwarding.value);
      out.append(String.format(Locale.ROOT,
          "- sampled ≤ 1.2 × (sentry-floor + forwarding): %.3f vs 1.2 × (%.3f + %.3f) = %.3f;"
              + " sampled / (floor + forwarding) = %.3f → %s%n",
          sampled.value, floor.value, forwarding.value, limit,
          sampled.value / (floor.value + forwarding.value), sampled.value <= limit ? "MET" : "NOT MET"));
    }
    Score otel = s.get(unary + Modes.OTEL);
    if (sampled != null && otel != null) {
      double ours = sampled.value - none.value;
      double theirs = otel.value - none.value;
      out.append(String.format(Locale.ROOT,
          "- sampled overhead ≤ otel overhead: %.3f vs %.3f µs/op (ratio %.2f) → %s%n",
          ours, theirs, ours / theirs, ours <= theirs ? "MET" : "NOT MET"));
      if (floor != null) {
        out.append(String.format(Locale.ROOT,
            "  - the SDK floor alone (sentry-floor, no gRPC) is %.3f µs/op, %.2f × otel's whole overhead%n",
            floor.value, floor.value / theirs));
      }
    }
    Score netNone = s.get("UnaryNetty.call|" + Modes.NONE);
    Score netSampled = s.get("UnaryNetty.call|" + Modes.SAMPLED);
    Score netOtel = s.get("UnaryNetty.call|" + Modes.OTEL);
    if (netNone != null && netSampled != null && netOtel != null) {
      out.append(String.format(Locale.ROOT,
          "  - over Netty: sampled overhead %.3f vs otel overhead %.3f µs/op%n",
          netSampled.value - netNone.value, netOtel.value - netNone.value));
    }
    String stream = "ServerStream.call|";
    Score streamNone = s.get(stream + Modes.NONE);
    if (streamNone != null) {
      for (String mode : Modes.ALL) {
        if (!Modes.usesSentryInterceptors(mode)) {
          continue;
        }
        Score m = s.get(stream + mode);
        if (m != null) {
          double ratio = m.value / streamNone.value;
          out.append(String.format(Locale.ROOT,
              "- ServerStream %s ≤ 1.03 × none: %.1f / %.1f = %.3f → %s%n",
              mode, m.value, streamNone.value, ratio, ratio <= 1.03 ? "MET" : "NOT MET"));
        }
      }
    }
  }

  private static void row(
      StringBuilder out, String mode, Score time, Score alloc, Score none, Score noneAlloc) {
    out.append(String.format(Locale.ROOT, "| %s | %s ± %s | %s | %s | %s | %s |%n",
        mode,
        fmt(time.value), fmt(time.error),
        none == null ? "" : String.format(Locale.ROOT, "%.2f", time.value / none.value),
        none == null ? "" : fmt(time.value - none.value),
        alloc == null ? "" : String.format(Locale.ROOT, "%.0f", alloc.value),
        alloc == null || noneAlloc == null ? "" : String.format(Locale.ROOT, "%+.0f", alloc.value - noneAlloc.value)));
  }

  private static String fmt(double value) {
    double abs = Math.abs(value);
    return String.format(Locale.ROOT, abs >= 100 ? "%.1f" : abs >= 10 ? "%.2f" : "%.3f", value);
  }

  private static double number(String text) {
    if (text.isEmpty() || text.equals("NaN")) {
      return Double.NaN;
    }
    return Double.parseDouble(text);
  }

  /** One CSV line as JMH writes it: fields quoted when they contain commas. */
  private static List<String> parse(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}

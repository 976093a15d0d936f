package dev.sentrygrpc.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open-loop load benchmark (issue 18), one command: {@code run.sh load}, i.e. {@code java -cp
 * benchmarks.jar dev.sentrygrpc.benchmarks.LoadBenchmark --out DIR [options]}.
 *
 * <ol>
 *   <li>Finds the saturation rate S of the uninstrumented setup ({@code LoadRun saturation}: a
 *       closed loop, mode {@code none}), unless {@code --saturation N} gives it.
 *   <li>Runs every mode in a JVM of its own ({@link LoadRun}) at the fixed rates {@code
 *       --fractions} × S (default 0.25, 0.5, 0.75, 0.9), each rate for {@code --seconds} (default
 *       10) after one warm-up of {@code --warmup} seconds (default 15) at the middle rate.
 *   <li>Writes {@code results.tsv} (one line per mode and rate) and {@code table.md} ({@link
 *       LoadReport}) into {@code --out}.
 * </ol>
 *
 * <p>Modes ({@code --modes}, default all): {@code none}; {@code otel}; {@code errors-only};
 * {@code sampled-10} and {@code sampled-100} (tracesSampleRate 0.1 / 1.0, the SDK's real HTTP
 * transport to the local receiver in its own JVM, the SDK's default queue of 30 envelopes and its
 * default backpressure handling); {@code sampled-10-queue} and {@code sampled-100-queue}, the same
 * with the queue sized as the README's production notes say (peak sampled calls per second times a
 * few seconds: here the highest rate × sample rate × 2 transactions per call × 5 s).
 *
 * <p>Everything shares the machine's cores: the caller, both services and the SDK's sender in the
 * load JVM, and the receiver JVM of the sampled modes.
 */
public final class LoadBenchmark {
  static final List<String> MODES =
      Arrays.asList(
          "none",
          "otel",
          "errors-only",
          "sampled-10",
          "sampled-10-queue",
          "sampled-100",
          "sampled-100-queue");

  /** Seconds of sampled calls the README's queue size holds. */
  static final int QUEUE_SECONDS = 5;

  /** Server transactions per sampled call: the front service's and the downstream service's. */
  static final int TRANSACTIONS_PER_CALL = 2;

  /** The heap of each load JVM: fixed, so that every mode has the same GC budget. */
  static final String HEAP = "-Xmx1g";

  private LoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage();
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0 || !options.containsKey("out")) {
      usage();
    }
    Path out = Paths.get(options.get("out"));
    Files.createDirectories(out);
    int warmUp = Integer.parseInt(options.getOrDefault("warmup", "15"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
    List<String> modes = Arrays.asList(options.getOrDefault("modes", String.join(",", MODES)).split(","));
    for (String mode : modes) {
      if (!MODES.contains(mode)) {
        throw new IllegalArgumentException("unknown mode " + mode + "; one of " + MODES);
      }
    }

    long saturation;
    if (options.containsKey("saturation")) {
      saturation = Long.parseLong(options.get("saturation"));
    } else {
      System.out.println("[load] finding the saturation rate of mode none (closed loop, "
          + LoadRun.SATURATION_IN_FLIGHT + " calls in flight)...");
      saturation = -1;
      for (String line : child(Arrays.asList("saturation", Integer.toString(seconds)), List.of())) {
        if (line.startsWith("SATURATION ")) {
          saturation = Long.parseLong(line.substring("SATURATION ".length()));
        }
      }
      if (saturation <= 0) {
        throw new IllegalStateException("no saturation rate measured");
      }
    }
    System.out.println("[load] saturation rate S = " + saturation + " calls/s");

    List<Integer> rates = new ArrayList<>();
    if (options.containsKey("rates")) {
      for (String rate : options.get("rates").split(",")) {
        rates.add(Integer.parseInt(rate));
      }
    } else {
      for (String fraction : options.getOrDefault("fractions", "0.25,0.5,0.75,0.9").split(",")) {
        rates.add((int) Math.round(Double.parseDouble(fraction) * saturation / 10.0) * 10);
      }
    }
    int highest = rates.stream().mapToInt(Integer::intValue).max().getAsInt();

    List<String> results = new ArrayList<>();
    results.add("# saturation\t" + saturation);
    results.add(LoadRun.COLUMNS + "\tmax_queue_size");
    String joinedRates = rates.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).get();
    for (String mode : modes) {
      List<String> properties = new ArrayList<>();
      String queue = "-";
      if (mode.startsWith("sampled-")) {
        double sampleRate = mode.startsWith("sampled-10-") || mode.equals("sampled-10") ? 0.1 : 1.0;
        int queueSize =
            mode.endsWith("-queue")
                ? (int) Math.ceil(highest * sampleRate * TRANSACTIONS_PER_CALL * QUEUE_SECONDS)
                : 30; // the SDK's default
        queue = Integer.toString(queueSize);
        properties.add("-Dsentrygrpc.bench.sampleRate=" + sampleRate);
        properties.add("-Dsentrygrpc.bench.maxQueueSize=" + queueSize);
        properties.add("-Dsentrygrpc.bench.backpressure=true"); // the SDK's default
      }
      System.out.println("[load] mode " + mode + " at " + joinedRates + " calls/s"
          + (queue.equals("-") ? "" : ", maxQueueSize " + queue));
      for (String line :
          child(
              Arrays.asList(
                  "run", mode, joinedRates, Integer.toString(warmUp), Integer.toString(seconds)),
              properties)) {
        if (line.startsWith("RESULT\t")) {
          String row = line.substring("RESULT\t".length()) + "\t" + queue;
          results.add(row);
          System.out.println("[load]   " + row);
        }
      }
      Files.write(out.resolve("results.tsv"), results, StandardCharsets.UTF_8);
    }
    Files.write(out.resolve("results.tsv"), results, StandardCharsets.UTF_8);
    String table = LoadReport.render(out.resolve("results.tsv"));
    Files.write(out.resolve("table.md"), table.getBytes(StandardCharsets.UTF_8));
    System.out.println(table);
  }

  /** Runs {@link LoadRun} in a JVM of its own; returns its standard output, echoing nothing. */
  private static List<String> child(List<String> arguments, List<String> properties)
      throws IOException, InterruptedException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add(HEAP);
    command.addAll(properties);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoadRun.class.getName());
    command.addAll(arguments);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
    }
    int exit = process.waitFor();
    if (exit != 0) {
      throw new IllegalStateException("LoadRun " + arguments + " exited with " + exit);
    }
    return lines;
  }

  private static void usage() {
    System.err.println(
        "usage: LoadBenchmark --out DIR [--modes a,b] [--saturation N] [--fractions f,f]"
            + " [--rates r,r] [--warmup s] [--seconds s]");
    System.exit(2);
  }
}

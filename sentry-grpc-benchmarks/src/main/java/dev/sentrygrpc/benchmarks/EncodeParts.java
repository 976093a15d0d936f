package dev.sentrygrpc.benchmarks;

import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Not part of the matrix: evidence for an upstream (sentry-java) fix. {@code Baggage.encode} runs
 * {@code URLEncoder.encode(value, "UTF-8").replaceAll("\\+", "%20")} on every key and every value
 * of every outgoing baggage header: {@code String.replaceAll} compiles a regular expression each
 * time. These encode the 14 strings (7 keys, 7 values) of the baggage header a sampled call sends,
 * as the SDK does and with {@code String.replace} (no regex), which gives the same result.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeParts {
  private final String[] strings = {
    "sentry-environment", "production",
    "sentry-public_key", "public",
    "sentry-sample_rand", "0.3724602271645409",
    "sentry-sample_rate", "1",
    "sentry-sampled", "true",
    "sentry-trace_id", "1da10edf3cd74ed3a5bdd9a5fc8a2956",
    "sentry-transaction", "benchmark.caller"
  };

  @Benchmark
  public int sdkEncodeWithReplaceAll() throws UnsupportedEncodingException {
    int length = 0;
    for (String s : strings) {
      length += URLEncoder.encode(s, "UTF-8").replaceAll("\\+", "%20").length();
    }
    return length;
  }

  @Benchmark
  public int encodeWithReplace() throws UnsupportedEncodingException {
    int length = 0;
    for (String s : strings) {
      length += URLEncoder.encode(s, "UTF-8").replace("+", "%20").length();
    }
    return length;
  }
}

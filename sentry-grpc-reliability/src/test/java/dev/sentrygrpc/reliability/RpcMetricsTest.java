package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.reliability.TelemetryRig.Kind;
import dev.sentrygrpc.reliability.TelemetryRig.Transport;
import dev.sentrygrpc.testing.ReceivedMetric;
import dev.sentrygrpc.testing.ReceivedMetrics;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Status;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RPC metrics end to end (CONFORMANCE cases 33-35): real servers, both interceptors, the SDK's
 * HTTP transport to the local receiver, and assertions on the metric points it received, queried
 * the way Sentry queries them (weighted by {@code sentry.client_sample_rate}).
 */
class RpcMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  /** So long that only Sentry.close() sends: every count below is then deterministic. */
  static final Duration NO_TIMER = Duration.ofHours(1);

  private SentryReceiver receiver;
  private ExecutorService callers;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    callers = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
    Sentry.close();
    receiver.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void atOnePercentTracingTheCountsReceivedAreTheCallsMadePerMethodAndCode(Transport transport)
      throws Exception {
    init(options -> options.setTracesSampleRate(0.01));
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .metrics(true)
            .metricsInterval(NO_TIMER)
            .ignoredMethods("grpc.health.v1.Health/*", Kind.CLIENT_STREAMING.method)
            .build();
    Map<Kind, Map<Status.Code, Integer>> plan = new LinkedHashMap<>();
    plan.put(Kind.UNARY, codes(Status.Code.OK, 1200, Status.Code.NOT_FOUND, 400, Status.Code.INTERNAL, 150, Status.Code.UNAVAILABLE, 50));
    plan.put(Kind.SERVER_STREAMING, codes(Status.Code.OK, 300, Status.Code.RESOURCE_EXHAUSTED, 100));
    plan.put(Kind.CLIENT_STREAMING, codes(Status.Code.OK, 200));
    plan.put(Kind.BIDI, codes(Status.Code.OK, 300));

    try (TelemetryRig rig = new TelemetryRig(transport, options)) {
      run(rig, plan, new Random(33), 0);
    }
    Sentry.close();

    int made = 2700 - 200; // the ignored ClientStream calls leave nothing
    ReceivedMetrics metrics =
        receiver.awaitMetrics(
            m -> m.named("grpc.server.calls").sum() >= made && m.named("grpc.client.calls").sum() >= made,
            WAIT);
    for (String side : new String[] {"server", "client"}) {
      for (Map.Entry<Kind, Map<Status.Code, Integer>> method : plan.entrySet()) {
        for (Map.Entry<Status.Code, Integer> code : method.getValue().entrySet()) {
          ReceivedMetrics calls = of(metrics, "grpc." + side + ".calls", method.getKey(), code.getKey());
          ReceivedMetrics durations =
              of(metrics, "rpc." + side + ".call.duration", method.getKey(), code.getKey());
          int expected = method.getKey() == Kind.CLIENT_STREAMING ? 0 : code.getValue();
          assertThat(calls.sum()).as(side + " calls of " + method.getKey() + " " + code.getKey()).isEqualTo(expected);
          assertThat(durations.count())
              .as(side + " weighted durations of " + method.getKey() + " " + code.getKey())
              .isCloseTo(expected, within(1e-6 * Math.max(1, expected)));
        }
      }
    }
    assertThat(metrics.where("rpc.method", Kind.CLIENT_STREAMING.method).points()).isEmpty();
    // Nothing at all for methods that were not called, nor for any other name.
    assertThat(metrics.points())
        .extracting(ReceivedMetric::name)
        .containsOnly(
            "grpc.server.calls", "rpc.server.call.duration", "grpc.server.messages.received", "grpc.server.messages.sent",
            "grpc.client.calls", "rpc.client.call.duration", "grpc.client.messages.received", "grpc.client.messages.sent");

    // Streams: exact message counts; unary calls have none.
    assertThat(of(metrics, "grpc.server.messages.sent", Kind.SERVER_STREAMING, Status.Code.OK).sum()).isEqualTo(300 * 3);
    assertThat(of(metrics, "grpc.server.messages.received", Kind.SERVER_STREAMING, Status.Code.OK).sum()).isEqualTo(300);
    assertThat(of(metrics, "grpc.server.messages.sent", Kind.SERVER_STREAMING, Status.Code.RESOURCE_EXHAUSTED).sum()).isZero();
    assertThat(of(metrics, "grpc.client.messages.received", Kind.BIDI, Status.Code.OK).sum()).isEqualTo(300 * 3);
    assertThat(of(metrics, "grpc.client.messages.sent", Kind.BIDI, Status.Code.OK).sum()).isEqualTo(300 * 3);
    assertThat(metrics.named("grpc.server.messages.sent").where("rpc.method", Kind.UNARY.method).points()).isEmpty();

    // What a point says about itself.
    ReceivedMetric failed = of(metrics, "rpc.server.call.duration", Kind.UNARY, Status.Code.INTERNAL).points().get(0);
    assertThat(failed.type()).isEqualTo("distribution");
    assertThat(failed.unit()).isEqualTo("second");
    assertThat(failed.attributes())
        .containsEntry("rpc.system.name", "grpc")
        .containsEntry("grpc.method_type", "UNARY")
        .containsEntry("error.type", "INTERNAL")
        .containsEntry("sentry.origin", "auto.grpc.grpc.server");
    // NOT_FOUND is the server answering correctly, and a failure for its caller.
    assertThat(of(metrics, "grpc.server.calls", Kind.UNARY, Status.Code.NOT_FOUND).points().get(0).attributes())
        .doesNotContainKey("error.type");
    assertThat(of(metrics, "grpc.client.calls", Kind.UNARY, Status.Code.NOT_FOUND).points().get(0).attributes())
        .containsEntry("error.type", "NOT_FOUND")
        .containsEntry("sentry.origin", "auto.grpc.grpc.client");
    assertThat(of(metrics, "grpc.server.calls", Kind.UNARY, Status.Code.OK).points().get(0).type()).isEqualTo("counter");
    assertThat(receiver.transactions()).hasSizeLessThan(made / 10); // sampling did thin the traces
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void latencyPercentilesFromTheReceivedPointsAreWithinTheStatedToleranceOfTheTrueOnes(
      Transport transport) throws Exception {
    init(options -> options.setTracesSampleRate(1.0));
    SentryGrpcOptions options = SentryGrpcOptions.builder().metrics(true).metricsInterval(NO_TIMER).build();
    int calls = 1200;
    Random random = new Random(34);
    Stopwatches truth = new Stopwatches();
    try (TelemetryRig rig = new TelemetryRig(transport, options, truth)) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        // Log-normal around 3 ms with a long tail, as service latencies go.
        int wait = (int) Math.min(200_000, 3_000 * Math.exp(0.8 * random.nextGaussian()));
        done.add(callers.submit(() -> assertThat(rig.call(Kind.UNARY, Status.Code.OK, wait)).isEqualTo(Status.Code.OK)));
      }
      for (Future<?> call : done) {
        call.get(60, TimeUnit.SECONDS);
      }
    }
    List<SentryTransaction> transactions = receiver.awaitTransactions(calls, WAIT);
    Sentry.close();
    ReceivedMetrics metrics = receiver.awaitMetrics(m -> m.named("grpc.client.calls").sum() >= calls, WAIT);

    ReceivedMetrics server = metrics.named("rpc.server.call.duration");
    ReceivedMetrics client = metrics.named("rpc.client.call.duration");
    Map<String, Double> errors = new LinkedHashMap<>();
    for (double quantile : new double[] {0.5, 0.9, 0.95, 0.99, 0.999}) {
      double fromServerPoints = server.percentile(quantile);
      double fromClientPoints = client.percentile(quantile);
      errors.put("server p" + quantile, relativeError(fromServerPoints, percentile(truth.serverSeconds, quantile)));
      errors.put("client p" + quantile, relativeError(fromClientPoints, percentile(truth.clientSeconds, quantile)));
      assertWithinTolerance("server p" + quantile, fromServerPoints, truth.serverSeconds, quantile);
      assertWithinTolerance("client p" + quantile, fromClientPoints, truth.clientSeconds, quantile);
    }
    errors.put("server mean", relativeError(server.sum() / server.count(), mean(truth.serverSeconds)));
    errors.put("client mean", relativeError(client.sum() / client.count(), mean(truth.clientSeconds)));
    System.out.println(
        "latency accuracy over " + transport + ", " + server.size() + " server and " + client.size()
            + " client points for " + calls + " calls each, relative errors: " + errors);
    assertThat(errors.get("server mean")).isLessThanOrEqualTo(BUCKET_ERROR);
    assertThat(errors.get("client mean")).isLessThanOrEqualTo(BUCKET_ERROR);

    // Every point links to a sampled call of its bucket: a trace and span Sentry has.
    List<String> serverSpans = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      serverSpans.add(transaction.getContexts().getTrace().getTraceId() + "/" + transaction.getContexts().getTrace().getSpanId());
    }
    assertThat(server.points()).allSatisfy(point -> assertThat(serverSpans).contains(point.traceId() + "/" + point.spanId()));
  }

  @Test
  void theVolumeDependsOnTheMethodsAndCodesNotOnTheNumberOfCalls() throws Exception {
    int fewer = volumeOf(400);
    int tenTimesMore = volumeOf(4_000);
    System.out.println("metric points for 400 calls: " + fewer + ", for 4,000 calls: " + tenTimesMore);
    // Ten times the calls, at the same 2 methods x 2 codes and the same planned latencies: only
    // latency buckets no call had touched yet add points (the odd call slowed down by a busy
    // machine), and there are 8 per octave: 1.1 to 1.7 times the points here, never ten times.
    assertThat(tenTimesMore).isLessThan(fewer * 5 / 2);
  }

  /** Points received for {@code calls} calls over 2 methods x 2 codes, all in one interval. */
  private int volumeOf(int calls) throws Exception {
    receiver.clear();
    init(options -> options.setTracesSampleRate(0.01));
    Map<Kind, Map<Status.Code, Integer>> plan = new LinkedHashMap<>();
    plan.put(Kind.UNARY, codes(Status.Code.OK, calls * 3 / 8, Status.Code.NOT_FOUND, calls / 8));
    plan.put(Kind.SERVER_STREAMING, codes(Status.Code.OK, calls * 3 / 8, Status.Code.NOT_FOUND, calls / 8));
    SentryGrpcOptions options = SentryGrpcOptions.builder().metrics(true).metricsInterval(NO_TIMER).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      // Every call takes 1 or 4 ms, as planned.
      run(rig, plan, new Random(35), 1_000);
    }
    Sentry.close();
    ReceivedMetrics metrics = receiver.awaitMetrics(m -> m.named("grpc.server.calls").sum() >= calls, WAIT);
    return metrics.size();
  }

  @Test
  void theLastIntervalIsSentOnCloseAndNothingBefore() throws Exception {
    init(options -> {});
    SentryGrpcOptions options = SentryGrpcOptions.builder().metrics(true).metricsInterval(NO_TIMER).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      for (int i = 0; i < 25; i++) {
        rig.call(Kind.UNARY, Status.Code.OK, 0);
      }
      // Sentry.flush sends what the SDK holds; the interval's counts are still the interceptor's.
      Sentry.flush(10_000);
      receiver.awaitTransactions(25, WAIT);
      assertThat(receiver.metrics().points()).isEmpty();
    }
    Sentry.close();
    assertThat(receiver.awaitMetrics(m -> m.named("grpc.server.calls").sum() == 25, WAIT).named("grpc.client.calls").sum())
        .isEqualTo(25);
  }

  @Test
  void everyIntervalIsSentAndEachSdkLifetimeCountsItsOwnCallsOnce() throws Exception {
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().metrics(true).metricsInterval(Duration.ofMillis(200)).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      init(sentry -> {});
      for (int i = 0; i < 100; i++) {
        rig.call(Kind.UNARY, Status.Code.OK, 0);
      }
      // Sent by the timer, with the SDK still open.
      receiver.awaitMetrics(m -> m.named("grpc.server.calls").sum() == 100, WAIT);
      Sentry.close();

      init(sentry -> {});
      for (int i = 0; i < 50; i++) {
        rig.call(Kind.UNARY, Status.Code.ALREADY_EXISTS, 0);
      }
      Sentry.close();
      // Calls while the SDK is closed are not recorded at all.
      rig.call(Kind.UNARY, Status.Code.OK, 0);
    }
    ReceivedMetrics metrics =
        receiver.awaitMetrics(m -> m.named("grpc.server.calls").sum() >= 150, WAIT);
    assertThat(metrics.named("grpc.server.calls").where("rpc.response.status_code", "OK").sum()).isEqualTo(100);
    assertThat(metrics.named("grpc.server.calls").where("rpc.response.status_code", "ALREADY_EXISTS").sum())
        .isEqualTo(50);
    assertThat(metrics.named("grpc.client.calls").sum()).isEqualTo(150);
  }

  @Test
  void nothingIsSentWhenTheUserTurnedSentryMetricsOff() throws Exception {
    init(options -> options.getMetrics().setEnabled(false));
    SentryGrpcOptions options = SentryGrpcOptions.builder().metrics(true).metricsInterval(NO_TIMER).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      for (int i = 0; i < 20; i++) {
        assertThat(rig.call(Kind.UNARY, Status.Code.OK, 0)).isEqualTo(Status.Code.OK);
      }
    }
    receiver.awaitTransactions(20, WAIT);
    Sentry.close();
    assertThat(receiver.items("trace_metric")).isEmpty();
  }

  // ---- helpers ----

  private void init(Consumer<SentryOptions> extra) {
    Harness.initSentry(
        receiver,
        options -> {
          // close() flushes the SDK's log and metric batches first, then waits this long for
          // their timers: short, or every close waits for the 5 s batch timer.
          options.setShutdownTimeoutMillis(1_000);
          extra.accept(options);
        });
  }

  /** Makes the planned calls from 8 threads in a shuffled order; checks each ended as planned. */
  private void run(TelemetryRig rig, Map<Kind, Map<Status.Code, Integer>> plan, Random random, int waitMicros)
      throws Exception {
    List<Object[]> calls = new ArrayList<>();
    plan.forEach((kind, codes) -> codes.forEach((code, count) -> {
      for (int i = 0; i < count; i++) {
        calls.add(new Object[] {kind, code});
      }
    }));
    Collections.shuffle(calls, random);
    AtomicLong wrong = new AtomicLong();
    Map<String, Integer> wrongOnes = new ConcurrentHashMap<>();
    List<Future<?>> done = new ArrayList<>();
    int index = 0;
    for (Object[] call : calls) {
      Kind kind = (Kind) call[0];
      Status.Code code = (Status.Code) call[1];
      int micros = waitMicros == 0 ? 0 : (index++ % 2 == 0 ? waitMicros : 4 * waitMicros);
      done.add(
          callers.submit(
              () -> {
                Status.Code ended = rig.call(kind, code, micros);
                if (ended != code) {
                  wrong.incrementAndGet();
                  wrongOnes.merge(kind + " " + code + " -> " + ended, 1, Integer::sum);
                }
              }));
    }
    for (Future<?> call : done) {
      call.get(60, TimeUnit.SECONDS);
    }
    assertThat(wrongOnes).as("calls that did not end as planned").isEmpty();
  }

  private static Map<Status.Code, Integer> codes(Object... codesAndCounts) {
    Map<Status.Code, Integer> codes = new LinkedHashMap<>();
    for (int i = 0; i < codesAndCounts.length; i += 2) {
      codes.put((Status.Code) codesAndCounts[i], (Integer) codesAndCounts[i + 1]);
    }
    return codes;
  }

  private static ReceivedMetrics of(ReceivedMetrics metrics, String name, Kind kind, Status.Code code) {
    return metrics.named(name).where("rpc.method", kind.method).where("rpc.response.status_code", code.name());
  }

  /** Nearest rank, as ReceivedMetrics computes it over weighted points. */
  private static double percentile(List<Double> values, double quantile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(quantile * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static double mean(List<Double> values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.size();
  }

  /** Every bucket's midpoint is within 6.25% of each duration in it (LatencyBuckets). */
  static final double BUCKET_ERROR = 0.0625;
  /**
   * The share of calls a busy machine may time differently at the stopwatches than at the
   * interceptors (a thread preempted between the two clock reads): 6 of 1,200.
   */
  static final double RANK_SLACK = 0.005;

  /**
   * The percentile from the points is within 6.25% of the true one, taken at a rank within 0.5% of
   * the quantile's (the relative errors printed are against the exact rank; on a quiet machine they
   * stay under 5%).
   */
  private static void assertWithinTolerance(String what, double estimate, List<Double> truth, double quantile) {
    double lower = percentile(truth, Math.max(0, quantile - RANK_SLACK)) * (1 - BUCKET_ERROR);
    double upper = percentile(truth, Math.min(1, quantile + RANK_SLACK)) * (1 + BUCKET_ERROR);
    assertThat(estimate).as(what).isBetween(lower, upper);
  }

  private static double relativeError(double estimate, double truth) {
    return Math.abs(estimate - truth) / truth;
  }
}

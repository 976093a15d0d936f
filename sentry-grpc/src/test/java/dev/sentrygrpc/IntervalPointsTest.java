package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The points of one interval, and the budget that keeps them within the SDK's queue. */
class IntervalPointsTest {

  @Test
  void aCounterPerMethodAndCodeAndAWeightedPointPerBucket() {
    CodeStats ok = new CodeStats(CallSide.SERVER, "a.B/C", "SERVER_STREAMING", true, Status.Code.OK);
    for (int i = 0; i < 90; i++) {
      ok.record(10_000_000, 1, 3, null); // 10 ms
    }
    for (int i = 0; i < 10; i++) {
      ok.record(100_000_000, 1, 3, null); // 100 ms
    }
    IntervalPoints interval = new IntervalPoints(CallSide.SERVER, IntervalPoints.MAX_POINTS);
    ok.drain(interval);
    List<IntervalPoints.Point> points = interval.points();
    assertThat(points).extracting(p -> p.name)
        .containsExactly(
            "grpc.server.calls",
            "grpc.server.messages.received",
            "grpc.server.messages.sent",
            "rpc.server.call.duration",
            "rpc.server.call.duration");
    assertThat(points.get(0).value).isEqualTo(100);
    assertThat(points.get(1).value).isEqualTo(100);
    assertThat(points.get(2).value).isEqualTo(300);
    assertThat(points.get(3).attributes.get(IntervalPoints.SAMPLE_RATE)).isEqualTo(1.0 / 90);
    assertThat(points.get(3).value).isCloseTo(0.010, org.assertj.core.data.Percentage.withPercentage(6.25));
    assertThat(points.get(4).value).isCloseTo(0.100, org.assertj.core.data.Percentage.withPercentage(6.25));
    assertThat(points.get(0).attributes)
        .containsEntry("rpc.method", "a.B/C")
        .containsEntry("rpc.response.status_code", "OK")
        .doesNotContainKey("error.type")
        .doesNotContainKey(IntervalPoints.SAMPLE_RATE);
    assertThat(interval.merged).isEqualTo(1);
  }

  @Test
  void pastTheBudgetBucketsAreMergedAndCountsStayExact() {
    Random random = new Random(3);
    IntervalPoints interval = new IntervalPoints(CallSide.CLIENT, 400);
    long total = 0;
    for (int method = 0; method < 30; method++) {
      CodeStats stats = new CodeStats(CallSide.CLIENT, "m/" + method, "UNARY", false, Status.Code.OK);
      for (int i = 0; i < 2_000; i++) {
        // Log-uniform over 1 µs to 1 s: every bucket of 20 octaves touched, 160 per method.
        stats.record((long) Math.pow(2, 10 + 20 * random.nextDouble()), 0, 0, null);
        total++;
      }
      stats.drain(interval);
    }
    List<IntervalPoints.Point> points = interval.points();
    assertThat(points).hasSizeLessThanOrEqualTo(400);
    assertThat(interval.merged).isEqualTo(8);
    double calls = 0;
    double weighted = 0;
    for (IntervalPoints.Point point : points) {
      if (point.counter) {
        calls += point.value;
      } else {
        Object rate = point.attributes.get(IntervalPoints.SAMPLE_RATE);
        weighted += rate == null ? 1 : 1 / (Double) rate;
      }
    }
    assertThat(calls).isEqualTo(total);
    // 30 counters and 30 x 20 merged points do not fit in 400: some methods lose their latency.
    assertThat(interval.leftOut).isPositive();
    assertThat(weighted).isLessThan(total);
  }
}

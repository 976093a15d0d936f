package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The latency buckets, and what percentiles come out of them: the accuracy claim of the README
 * ("within 6.25%"), checked against exact percentiles of known durations, without the SDK.
 */
class LatencyBucketsTest {

  @Test
  void everyDurationIsWithinTheBoundOfItsBucketsMidpoint() {
    Random random = new Random(1);
    for (int i = 0; i < 1_000_000; i++) {
      // Log-uniform from 1 µs to 9 hours: every octave the buckets cover.
      long nanos = (long) Math.pow(2, 10 + random.nextDouble() * 35);
      int bucket = LatencyBuckets.indexOf(nanos);
      assertThat(nanos).isBetween(LatencyBuckets.lowerBound(bucket), LatencyBuckets.upperBound(bucket) - 1);
      double error = Math.abs(LatencyBuckets.representativeNanos(bucket) - nanos) / nanos;
      assertThat(error).isLessThanOrEqualTo(LatencyBuckets.MAX_RELATIVE_ERROR);
    }
  }

  @Test
  void bucketsFollowEachOtherWithoutGapsAndCoverEveryDuration() {
    assertThat(LatencyBuckets.indexOf(-5)).isZero();
    assertThat(LatencyBuckets.indexOf(0)).isZero();
    assertThat(LatencyBuckets.indexOf(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
    for (int i = 0; i < LatencyBuckets.COUNT - 1; i++) {
      assertThat(LatencyBuckets.upperBound(i)).isEqualTo(LatencyBuckets.lowerBound(i + 1));
      assertThat(LatencyBuckets.indexOf(LatencyBuckets.lowerBound(i + 1))).isEqualTo(i + 1);
      assertThat(LatencyBuckets.indexOf(LatencyBuckets.lowerBound(i + 1) - 1)).isEqualTo(i);
    }
    assertThat(LatencyBuckets.COUNT).isEqualTo(282);
  }

  @Test
  void percentilesRebuiltFromWeightedBucketPointsAreWithinTheBound() {
    Random random = new Random(2);
    List<long[]> distributions = new ArrayList<>();
    long[] logNormal = new long[200_000];
    long[] bimodal = new long[200_000];
    long[] tight = new long[200_000];
    for (int i = 0; i < logNormal.length; i++) {
      logNormal[i] = (long) (3e6 * Math.exp(0.9 * random.nextGaussian())); // around 3 ms
      // A cache: most calls 200 µs, one in ten 40 ms.
      bimodal[i] = (long) (random.nextInt(10) == 0 ? 40e6 + 5e6 * random.nextGaussian() : 200e3 + 20e3 * random.nextGaussian());
      tight[i] = 5_000_000 + random.nextInt(1_000); // all within one microsecond
    }
    distributions.add(logNormal);
    distributions.add(bimodal);
    distributions.add(tight);
    for (long[] durations : distributions) {
      CodeStats stats = new CodeStats(CallSide.SERVER, "m", "UNARY", false, Status.Code.OK);
      for (long nanos : durations) {
        stats.record(nanos, 0, 0, null);
      }
      List<double[]> points = new ArrayList<>(); // value, weight
      stats.drain(
          new CodeStats.Sink() {
            @Override
            public void bucket(CodeStats s, int bucket, long calls, CodeStats.Exemplar exemplar) {
              points.add(new double[] {LatencyBuckets.representativeNanos(bucket), 1.0 / (1.0 / calls)});
            }

            @Override
            public void totals(CodeStats s, long calls, long received, long sent, CodeStats.Exemplar exemplar) {
              assertThat(calls).isEqualTo(durations.length);
            }
          });
      long[] sorted = durations.clone();
      Arrays.sort(sorted);
      for (double quantile : new double[] {0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999}) {
        double truth = sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
        double error = Math.abs(weightedPercentile(points, quantile) - truth) / truth;
        assertThat(error).as("p" + quantile).isLessThanOrEqualTo(LatencyBuckets.MAX_RELATIVE_ERROR);
      }
      // A second drain has nothing new: counts are sent once.
      List<Long> again = new ArrayList<>();
      stats.drain(
          new CodeStats.Sink() {
            @Override
            public void bucket(CodeStats s, int bucket, long calls, CodeStats.Exemplar exemplar) {
              again.add(calls);
            }

            @Override
            public void totals(CodeStats s, long calls, long received, long sent, CodeStats.Exemplar exemplar) {
              again.add(calls);
            }
          });
      assertThat(again).isEmpty();
    }
  }

  /** As Sentry ranks weighted points, and as ReceivedMetrics.percentile does: nearest rank. */
  private static double weightedPercentile(List<double[]> points, double quantile) {
    List<double[]> sorted = new ArrayList<>(points);
    Collections.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
    double total = 0;
    for (double[] point : sorted) {
      total += point[1];
    }
    double seen = 0;
    for (double[] point : sorted) {
      seen += point[1];
      if (seen >= quantile * total - 1e-9 * total) {
        return point[0];
      }
    }
    return sorted.get(sorted.size() - 1)[0];
  }
}

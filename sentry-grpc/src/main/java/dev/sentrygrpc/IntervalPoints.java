package dev.sentrygrpc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric points of one interval, made from a drain of {@link CallMetrics}: per (method, code)
 * a counter of calls (and of messages, for streams), and one distribution point per latency
 * bucket with calls, weighted with {@code sentry.client_sample_rate} = 1/n for its n calls.
 *
 * <p>Within a budget of {@link #MAX_POINTS}: the SDK queues at most 10,000 metric points (and
 * drops the rest) until its batch is sent every 5 s, and the application's own metrics need room
 * too. A service with hundreds of methods whose latencies spread widely could pass it; then
 * neighbouring buckets are merged two, four and at most eight at a time (a point then stands for
 * a wider range: 12.5%, 25%, 50% instead of 6.25%), and past that the distributions of the
 * methods with the fewest calls are left out. Counters are always sent: counts stay exact.
 */
final class IntervalPoints implements CodeStats.Sink {
  /** Points per flush and interceptor: a server and a client interceptor fill 8,000 of 10,000. */
  static final int MAX_POINTS = 4_000;

  static final String SAMPLE_RATE = "sentry.client_sample_rate";
  static final String SECOND = "second";
  private static final int MAX_MERGE_SHIFT = 3;

  /** One point to send: counter or distribution, with the trace of a sampled call, if any. */
  static final class Point {
    final boolean counter;
    final String name;
    final double value;
    final Map<String, Object> attributes;
    final CodeStats.Exemplar exemplar;

    Point(boolean counter, String name, double value, Map<String, Object> attributes, CodeStats.Exemplar exemplar) {
      this.counter = counter;
      this.name = name;
      this.value = value;
      this.attributes = attributes;
      this.exemplar = exemplar;
    }
  }

  private final CallSide side;
  private final int maxPoints;
  private final List<Series> series = new ArrayList<>();
  private Series current;

  /** How many neighbouring buckets went into one point: 1, 2, 4 or 8 (after {@link #points}). */
  int merged = 1;
  /** Distribution points left out for the budget (after {@link #points}). */
  int leftOut;

  IntervalPoints(CallSide side, int maxPoints) {
    this.side = side;
    this.maxPoints = maxPoints;
  }

  @Override
  public void bucket(CodeStats stats, int bucket, long calls, CodeStats.Exemplar exemplar) {
    Series s = seriesOf(stats);
    s.buckets.add(new long[] {bucket, calls});
    s.exemplars.add(exemplar);
  }

  @Override
  public void totals(CodeStats stats, long calls, long received, long sent, CodeStats.Exemplar exemplar) {
    Series s = seriesOf(stats);
    s.calls = calls;
    s.received = received;
    s.sent = sent;
    s.exemplar = exemplar;
  }

  private Series seriesOf(CodeStats stats) {
    if (current == null || current.stats != stats) {
      current = new Series(stats);
      series.add(current);
    }
    return current;
  }

  /** The interval's points: counters first, then distributions, within the budget. */
  List<Point> points() {
    List<Point> points = new ArrayList<>();
    for (Series s : series) {
      points.add(new Point(true, side.callsMetric, s.calls, s.stats.attributes, s.exemplar));
      if (s.received > 0) {
        points.add(new Point(true, side.messagesReceivedMetric, s.received, s.stats.attributes, s.exemplar));
      }
      if (s.sent > 0) {
        points.add(new Point(true, side.messagesSentMetric, s.sent, s.stats.attributes, s.exemplar));
      }
    }
    int shift = 0;
    while (shift < MAX_MERGE_SHIFT && points.size() + distributionPoints(shift) > maxPoints) {
      shift++;
    }
    merged = 1 << shift;
    List<Series> biggestFirst = new ArrayList<>(series);
    Collections.sort(
        biggestFirst,
        new Comparator<Series>() {
          @Override
          public int compare(Series a, Series b) {
            return Long.compare(b.calls, a.calls);
          }
        });
    for (Series s : biggestFirst) {
      List<Point> distribution = distribution(s, shift);
      if (points.size() + distribution.size() > maxPoints) {
        leftOut += distribution.size();
      } else {
        points.addAll(distribution);
      }
    }
    return points;
  }

  private int distributionPoints(int shift) {
    int count = 0;
    for (Series s : series) {
      int last = -1;
      for (long[] bucket : s.buckets) {
        int group = group((int) bucket[0], shift);
        if (group != last) {
          count++;
          last = group;
        }
      }
    }
    return count;
  }

  /** The series' buckets, {@code 1 << shift} at a time, as weighted distribution points. */
  private List<Point> distribution(Series s, int shift) {
    List<Point> points = new ArrayList<>();
    int i = 0;
    while (i < s.buckets.size()) {
      int group = group((int) s.buckets.get(i)[0], shift);
      long calls = 0;
      CodeStats.Exemplar exemplar = null;
      // Buckets come in ascending order: a group's are next to each other.
      while (i < s.buckets.size() && group((int) s.buckets.get(i)[0], shift) == group) {
        calls += s.buckets.get(i)[1];
        if (s.exemplars.get(i) != null) {
          exemplar = s.exemplars.get(i);
        }
        i++;
      }
      double nanos =
          shift == 0 ? LatencyBuckets.representativeNanos(group) : groupMidpoint(group, shift);
      Map<String, Object> attributes = s.stats.attributes;
      if (calls > 1) {
        // One point stands for `calls` calls of this latency: Sentry weighs a point by the
        // inverse of its client sample rate, so counts, sums and percentiles come out whole.
        attributes = new LinkedHashMap<>(attributes);
        attributes.put(SAMPLE_RATE, 1.0 / calls);
      }
      points.add(new Point(false, side.durationMetric, nanos / 1e9, attributes, exemplar));
    }
    return points;
  }

  /** The first bucket of the group of {@code 1 << shift} neighbours a bucket belongs to. */
  private static int group(int bucket, int shift) {
    if (bucket == 0 || bucket == LatencyBuckets.COUNT - 1) {
      return bucket;
    }
    return 1 + (((bucket - 1) >> shift) << shift);
  }

  private static double groupMidpoint(int first, int shift) {
    if (first == 0 || first == LatencyBuckets.COUNT - 1) {
      return LatencyBuckets.representativeNanos(first);
    }
    int last = Math.min(first + (1 << shift) - 1, LatencyBuckets.COUNT - 2);
    return (LatencyBuckets.lowerBound(first) + (double) LatencyBuckets.upperBound(last)) / 2;
  }

  /** What one (method, code) had in the interval. */
  private static final class Series {
    final CodeStats stats;
    final List<long[]> buckets = new ArrayList<>();
    final List<CodeStats.Exemplar> exemplars = new ArrayList<>();
    long calls;
    long received;
    long sent;
    CodeStats.Exemplar exemplar;

    Series(CodeStats stats) {
      this.stats = stats;
    }
  }
}

package dev.sentrygrpc.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Metric points received, with the queries Sentry answers over them: filter by name and
 * attribute, group, and add up with each point's weight ({@code 1 / sentry.client_sample_rate}),
 * so a point that stands for n measurements counts n times, as Sentry counts it.
 *
 * <pre>{@code
 * ReceivedMetrics placeOrder =
 *     receiver.metrics("rpc.server.call.duration").where("rpc.method", "shop.OrderService/PlaceOrder");
 * double calls = placeOrder.count();           // measurements, weights included
 * double p95 = placeOrder.percentile(0.95);    // seconds
 * }</pre>
 *
 * <p>Immutable; every query returns a new view.
 */
public final class ReceivedMetrics {
  private final List<ReceivedMetric> points;

  ReceivedMetrics(List<ReceivedMetric> points) {
    this.points = Collections.unmodifiableList(new ArrayList<>(points));
  }

  /** The points, in arrival order. */
  public List<ReceivedMetric> points() {
    return points;
  }

  /** How many points were received (not weighted). */
  public int size() {
    return points.size();
  }

  public boolean isEmpty() {
    return points.isEmpty();
  }

  /** The points of one metric name. */
  public ReceivedMetrics named(String name) {
    List<ReceivedMetric> matching = new ArrayList<>();
    for (ReceivedMetric point : points) {
      if (name.equals(point.name())) {
        matching.add(point);
      }
    }
    return new ReceivedMetrics(matching);
  }

  /**
   * The points whose attribute equals {@code value}; numbers compare by value ({@code 5} matches
   * an attribute sent as {@code 5.0}); a null value matches points without the attribute.
   */
  public ReceivedMetrics where(String attribute, Object value) {
    List<ReceivedMetric> matching = new ArrayList<>();
    for (ReceivedMetric point : points) {
      if (same(point.attribute(attribute), value)) {
        matching.add(point);
      }
    }
    return new ReceivedMetrics(matching);
  }

  /** The points grouped by one attribute's value, in order of first appearance. */
  public Map<Object, ReceivedMetrics> groupBy(String attribute) {
    Map<Object, List<ReceivedMetric>> groups = new LinkedHashMap<>();
    for (ReceivedMetric point : points) {
      Object key = point.attribute(attribute);
      List<ReceivedMetric> group = groups.get(key);
      if (group == null) {
        group = new ArrayList<>();
        groups.put(key, group);
      }
      group.add(point);
    }
    Map<Object, ReceivedMetrics> views = new LinkedHashMap<>();
    for (Map.Entry<Object, List<ReceivedMetric>> group : groups.entrySet()) {
      views.put(group.getKey(), new ReceivedMetrics(group.getValue()));
    }
    return views;
  }

  /**
   * The sum of the values, each times its weight: a counter's total, or the sum of all the
   * measurements a distribution stands for.
   */
  public double sum() {
    double sum = 0;
    for (ReceivedMetric point : points) {
      sum += point.value() * point.weight();
    }
    return sum;
  }

  /** The number of measurements: the sum of the points' weights. */
  public double count() {
    double count = 0;
    for (ReceivedMetric point : points) {
      count += point.weight();
    }
    return count;
  }

  /**
   * The weighted {@code quantile} (0 to 1) of the values, nearest rank: the smallest value such
   * that the points at or below it weigh at least {@code quantile} of the total. NaN without
   * points.
   */
  public double percentile(double quantile) {
    if (quantile < 0 || quantile > 1) {
      throw new IllegalArgumentException("quantile must be between 0 and 1: " + quantile);
    }
    if (points.isEmpty()) {
      return Double.NaN;
    }
    List<ReceivedMetric> sorted = new ArrayList<>(points);
    Collections.sort(
        sorted,
        new Comparator<ReceivedMetric>() {
          @Override
          public int compare(ReceivedMetric a, ReceivedMetric b) {
            return Double.compare(a.value(), b.value());
          }
        });
    double wanted = quantile * count();
    double seen = 0;
    for (ReceivedMetric point : sorted) {
      seen += point.weight();
      // A little slack for weights that are inverses of sample rates, rounded on the way.
      if (seen >= wanted - 1e-9 * Math.max(1, wanted)) {
        return point.value();
      }
    }
    return sorted.get(sorted.size() - 1).value();
  }

  private static boolean same(Object actual, Object expected) {
    if (actual instanceof Number && expected instanceof Number) {
      return ((Number) actual).doubleValue() == ((Number) expected).doubleValue();
    }
    return Objects.equals(actual, expected);
  }

  @Override
  public String toString() {
    return points.size() + " metric point(s)" + (points.size() <= 20 ? ": " + points : "");
  }
}

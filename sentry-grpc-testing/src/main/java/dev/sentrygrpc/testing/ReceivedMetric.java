package dev.sentrygrpc.testing;

import java.util.Map;

/**
 * One metric point of a {@code trace_metric} item, as sent: {@code counter}, {@code gauge} or
 * {@code distribution}, with its value, unit, trace and attributes. Made from the item's JSON, so
 * it reads the same whatever SDK version runs the test; {@link ReceivedItem#metricEvents()} has the
 * SDK's own objects when the SDK has them (8.30.0 and newer).
 */
public final class ReceivedMetric {
  /** The attribute an SDK sets on a point that stands for several measurements. */
  public static final String SAMPLE_RATE = "sentry.client_sample_rate";

  private final String name;
  private final String type;
  private final double value;
  private final String unit;
  private final String traceId;
  private final String spanId;
  private final double timestamp;
  private final Map<String, Object> attributes;

  private ReceivedMetric(Map<?, ?> json) {
    this.name = Attributes.string(json, "name");
    this.type = Attributes.string(json, "type");
    this.value = Attributes.number(json, "value", Double.NaN);
    this.unit = Attributes.string(json, "unit");
    this.traceId = Attributes.string(json, "trace_id");
    this.spanId = Attributes.string(json, "span_id");
    this.timestamp = Attributes.number(json, "timestamp", Double.NaN);
    this.attributes = Attributes.read(json.get("attributes"));
  }

  static ReceivedMetric of(Map<?, ?> json) {
    return new ReceivedMetric(json);
  }

  /** The metric's name, e.g. {@code rpc.server.call.duration}. */
  public String name() {
    return name;
  }

  /** {@code counter}, {@code gauge} or {@code distribution}. */
  public String type() {
    return type;
  }

  public double value() {
    return value;
  }

  /** The unit as sent ({@code second}, {@code millisecond}, ...), or null. */
  public String unit() {
    return unit;
  }

  /** The trace the point belongs to (32 hex characters), or null. */
  public String traceId() {
    return traceId;
  }

  /** The span the point was recorded in (16 hex characters), or null. */
  public String spanId() {
    return spanId;
  }

  /** When it was recorded, in seconds since the epoch. */
  public double timestamp() {
    return timestamp;
  }

  /**
   * The attributes as plain values (String, Long, Double, Boolean, List), including those the SDK
   * adds ({@code sentry.environment}, {@code sentry.release}, {@code sentry.sdk.name}, ...).
   */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** One attribute's value, or null. */
  public Object attribute(String name) {
    return attributes.get(name);
  }

  /**
   * The point's {@code sentry.client_sample_rate}, or 1 without one: a point sampled at 1/n stands
   * for n measurements of its value.
   */
  public double sampleRate() {
    Object rate = attributes.get(SAMPLE_RATE);
    return rate instanceof Number && ((Number) rate).doubleValue() > 0 ? ((Number) rate).doubleValue() : 1.0;
  }

  /** How many measurements the point stands for: {@code 1 / sampleRate()}. */
  public double weight() {
    return 1.0 / sampleRate();
  }

  @Override
  public String toString() {
    return type + " " + name + "=" + value + (unit == null ? "" : " " + unit) + " " + attributes;
  }
}

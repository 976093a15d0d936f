package dev.sentrygrpc.testing;

import java.util.Map;

/**
 * One Sentry log of a {@code log} item, as sent: level, message, trace and attributes. Made from
 * the item's JSON, so it reads the same whatever SDK version runs the test (8.22's {@code
 * SentryLogEvent} has no trace id getter); {@link ReceivedItem#logEvents()} has the SDK's objects.
 */
public final class ReceivedLog {
  private final String level;
  private final String body;
  private final String traceId;
  private final String spanId;
  private final double timestamp;
  private final Integer severityNumber;
  private final Map<String, Object> attributes;

  private ReceivedLog(Map<?, ?> json) {
    this.level = Attributes.string(json, "level");
    this.body = Attributes.string(json, "body");
    this.traceId = Attributes.string(json, "trace_id");
    this.timestamp = Attributes.number(json, "timestamp", Double.NaN);
    double severity = Attributes.number(json, "severity_number", Double.NaN);
    this.severityNumber = Double.isNaN(severity) ? null : (int) severity;
    this.attributes = Attributes.read(json.get("attributes"));
    String span = Attributes.string(json, "span_id");
    if (span == null && attributes.get("sentry.trace.parent_span_id") != null) {
      // SDKs before the span_id field (8.22) send the span as this attribute.
      span = attributes.get("sentry.trace.parent_span_id").toString();
    }
    this.spanId = span;
  }

  static ReceivedLog of(Map<?, ?> json) {
    return new ReceivedLog(json);
  }

  /** {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code fatal}. */
  public String level() {
    return level;
  }

  /** The message, formatted (the template and its parameters are in the attributes). */
  public String body() {
    return body;
  }

  /** The trace the log belongs to (32 hex characters), or null. */
  public String traceId() {
    return traceId;
  }

  /** The span that was active when it was logged, or null. */
  public String spanId() {
    return spanId;
  }

  /** When it was logged, in seconds since the epoch. */
  public double timestamp() {
    return timestamp;
  }

  public Integer severityNumber() {
    return severityNumber;
  }

  /**
   * The attributes as plain values (String, Long, Double, Boolean, List), including those the SDK
   * adds ({@code sentry.origin}, {@code sentry.message.template}, {@code sentry.environment}...).
   */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** One attribute's value, or null. */
  public Object attribute(String name) {
    return attributes.get(name);
  }

  @Override
  public String toString() {
    return level + " '" + body + "'";
  }
}

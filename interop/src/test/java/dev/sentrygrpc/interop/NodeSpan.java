package dev.sentrygrpc.interop;

import dev.sentrygrpc.testing.ReceivedEnvelope;
import dev.sentrygrpc.testing.ReceivedItem;
import dev.sentrygrpc.testing.SentryReceiver;
import io.sentry.SpanContext;
import io.sentry.TraceContext;
import io.sentry.protocol.SdkVersion;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A span the Node.js SDK sent, whichever way it came: inside a {@code transaction} item (the root
 * of the transaction and its child spans; {@code traceLifecycle: 'static'}) or as an entry of a
 * {@code span} item (span streaming, the default of @sentry/node 11: {@code
 * application/vnd.sentry.items.span.v2+json}, attributes typed as {@code {value, type}}).
 */
final class NodeSpan {
  static final String NODE_SDK = "sentry.javascript.node";

  final String traceId;
  final String spanId;
  final String parentSpanId;
  final String name;
  final String op;
  /** As sent: {@code ok}, or an error status ({@code internal_error}, or {@code error} in v2). */
  final String status;
  /** The root of what the Node SDK sent for one service: a transaction, or a v2 segment span. */
  final boolean segment;
  /** Span data (transactions) or attribute values (v2). */
  final Map<String, Object> attributes;
  /** {@code transaction} or {@code span}: how it arrived. */
  final String itemType;
  /** The dynamic sampling context in the header of the envelope it came in. */
  final TraceContext envelopeTrace;

  private NodeSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      String op,
      String status,
      boolean segment,
      Map<String, Object> attributes,
      String itemType,
      TraceContext envelopeTrace) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.name = name;
    this.op = op;
    this.status = status;
    this.segment = segment;
    this.attributes = attributes;
    this.itemType = itemType;
    this.envelopeTrace = envelopeTrace;
  }

  boolean ok() {
    return "ok".equals(status);
  }

  /** Every span of the trace that the Node.js SDK sent to the receiver so far. */
  static List<NodeSpan> of(SentryReceiver receiver, String traceId) {
    List<NodeSpan> spans = new ArrayList<>();
    for (ReceivedEnvelope envelope : receiver.envelopes()) {
      if (!isNode(envelope)) {
        continue;
      }
      TraceContext dsc = envelope.header().getTraceContext();
      for (ReceivedItem item : envelope.items()) {
        if ("transaction".equals(item.type())) {
          spans.addAll(fromTransaction(item, dsc));
        } else if ("span".equals(item.type())) {
          spans.addAll(fromSpanItem(item, dsc));
        }
      }
    }
    spans.removeIf(span -> !traceId.equals(span.traceId));
    return spans;
  }

  static boolean isNode(ReceivedEnvelope envelope) {
    SdkVersion sdk = envelope.header().getSdkVersion();
    return sdk != null && NODE_SDK.equals(sdk.getName());
  }

  private static List<NodeSpan> fromTransaction(ReceivedItem item, TraceContext dsc) {
    SentryTransaction transaction = item.transaction();
    if (transaction == null) {
      throw new AssertionError(
          "the receiver could not decode a Node.js transaction: "
              + item.decodeProblems()
              + "\n"
              + item.payloadAsString());
    }
    List<NodeSpan> spans = new ArrayList<>();
    SpanContext root = transaction.getContexts().getTrace();
    spans.add(
        new NodeSpan(
            root.getTraceId().toString(),
            root.getSpanId().toString(),
            root.getParentSpanId() == null ? null : root.getParentSpanId().toString(),
            transaction.getTransaction(),
            root.getOperation(),
            root.getStatus() == null ? null : root.getStatus().apiName(),
            true,
            copy(root.getData()),
            item.type(),
            dsc));
    for (SentrySpan span : transaction.getSpans()) {
      spans.add(
          new NodeSpan(
              span.getTraceId().toString(),
              span.getSpanId().toString(),
              span.getParentSpanId() == null ? null : span.getParentSpanId().toString(),
              span.getDescription(),
              span.getOp(),
              span.getStatus() == null ? null : span.getStatus().apiName(),
              false,
              copy(span.getData()),
              item.type(),
              dsc));
    }
    return spans;
  }

  @SuppressWarnings("unchecked")
  private static List<NodeSpan> fromSpanItem(ReceivedItem item, TraceContext dsc) {
    Map<String, Object> json = item.json();
    if (json == null || !(json.get("items") instanceof List)) {
      throw new AssertionError("a Node.js span item that is no {items: [...]}: " + item.payloadAsString());
    }
    List<NodeSpan> spans = new ArrayList<>();
    for (Object entry : (List<Object>) json.get("items")) {
      Map<String, Object> span = (Map<String, Object>) entry;
      Map<String, Object> attributes = new LinkedHashMap<>();
      Object raw = span.get("attributes");
      if (raw instanceof Map) {
        for (Map.Entry<String, Object> attribute : ((Map<String, Object>) raw).entrySet()) {
          Object typed = attribute.getValue();
          attributes.put(
              attribute.getKey(),
              typed instanceof Map ? ((Map<String, Object>) typed).get("value") : typed);
        }
      }
      spans.add(
          new NodeSpan(
              (String) span.get("trace_id"),
              (String) span.get("span_id"),
              (String) span.get("parent_span_id"),
              (String) span.get("name"),
              (String) attributes.get("sentry.op"),
              (String) span.get("status"),
              Boolean.TRUE.equals(span.get("is_segment")),
              attributes,
              item.type(),
              dsc));
    }
    return spans;
  }

  private static Map<String, Object> copy(Map<String, Object> data) {
    return data == null ? Collections.emptyMap() : new LinkedHashMap<>(data);
  }

  @Override
  public String toString() {
    return itemType + " span " + name + " op=" + op + " " + traceId + "/" + spanId + " parent="
        + parentSpanId + " status=" + status + " segment=" + segment + " " + attributes;
  }
}

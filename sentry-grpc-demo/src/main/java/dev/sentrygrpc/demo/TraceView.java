package dev.sentrygrpc.demo;

import io.sentry.SentryEvent;
import io.sentry.SpanContext;
import io.sentry.SpanStatus;
import io.sentry.protocol.Mechanism;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trace as plain data, ready to draw: its transactions and spans as {@link Span}s linked by
 * parent span ids (across transactions: a server transaction's parent is the caller's client
 * span), and its error events as {@link ErrorEvent}s tied to the span that was active when they were
 * captured. Built from what Sentry received; the renderer never touches SDK types, so it can be
 * tested with hand-made traces.
 */
record TraceView(String traceId, String title, List<Span> spans, List<ErrorEvent> errors) {

  /**
   * A transaction (its root span) or a span inside one. Times in seconds since the epoch. {@code
   * errorReason}: the {@code grpc.error.reason} (and domain) sentry-grpc read from the call's rich
   * error details, or null.
   */
  record Span(
      String spanId,
      String parentSpanId,
      String op,
      String description,
      String status,
      double start,
      double end,
      boolean transaction,
      String service,
      String errorReason) {

    Span(
        String spanId,
        String parentSpanId,
        String op,
        String description,
        String status,
        double start,
        double end,
        boolean transaction,
        String service) {
      this(spanId, parentSpanId, op, description, status, start, end, transaction, service, null);
    }

    double duration() {
      return Math.max(0, end - start);
    }
  }

  /**
   * An error event: {@code spanId} is the span that was current when it was captured ({@code
   * contexts.trace.span_id}); {@code time} in seconds since the epoch, or NaN; {@code
   * errorReason} the rich error details' reason in its {@code grpc}/{@code grpc.client} context,
   * or null.
   */
  record ErrorEvent(
      String eventId,
      String spanId,
      String type,
      String message,
      String mechanism,
      Boolean handled,
      double time,
      String errorReason) {

    ErrorEvent(
        String eventId,
        String spanId,
        String type,
        String message,
        String mechanism,
        Boolean handled,
        double time) {
      this(eventId, spanId, type, message, mechanism, handled, time, null);
    }
  }

  TraceView {
    spans = List.copyOf(spans);
    errors = List.copyOf(errors);
  }

  /** When the trace starts: its earliest span. */
  double start() {
    return spans.stream().mapToDouble(Span::start).min().orElse(0);
  }

  /** When the trace ends: its latest span end. */
  double end() {
    return spans.stream().mapToDouble(Span::end).max().orElse(0);
  }

  double duration() {
    return Math.max(0, end() - start());
  }

  /** The services the trace crossed, in order of first appearance. */
  List<String> services() {
    return spans.stream()
        .sorted(Comparator.comparingDouble(Span::start))
        .map(Span::service)
        .distinct()
        .toList();
  }

  // ---- built from what Sentry received ----

  /**
   * The views of every trace found in the transactions and events, in order of first arrival.
   * {@code titles} names traces by id; others get their root transaction's name.
   */
  static List<TraceView> all(
      Collection<SentryTransaction> transactions,
      Collection<SentryEvent> events,
      Map<String, String> titles) {
    Map<String, List<SentryTransaction>> txByTrace = new LinkedHashMap<>();
    Map<String, List<SentryEvent>> eventsByTrace = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace != null) {
        String id = trace.getTraceId().toString();
        txByTrace.computeIfAbsent(id, key -> new ArrayList<>()).add(transaction);
        if (!order.contains(id)) {
          order.add(id);
        }
      }
    }
    for (SentryEvent event : events) {
      SpanContext trace = event.getContexts().getTrace();
      if (trace != null) {
        String id = trace.getTraceId().toString();
        eventsByTrace.computeIfAbsent(id, key -> new ArrayList<>()).add(event);
        if (!order.contains(id)) {
          order.add(id);
        }
      }
    }
    List<TraceView> views = new ArrayList<>();
    for (String id : order) {
      views.add(
          of(
              id,
              titles.get(id),
              txByTrace.getOrDefault(id, List.of()),
              eventsByTrace.getOrDefault(id, List.of())));
    }
    return views;
  }

  /** The view of one trace, from its transactions and error events. */
  static TraceView of(
      String traceId,
      String title,
      Collection<SentryTransaction> transactions,
      Collection<SentryEvent> events) {
    List<Span> spans = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null) {
        continue;
      }
      String service = serviceOf(transaction, trace);
      double start = transaction.getStartTimestamp();
      Double end = transaction.getTimestamp();
      spans.add(
          new Span(
              trace.getSpanId().toString(),
              trace.getParentSpanId() == null ? null : trace.getParentSpanId().toString(),
              trace.getOperation(),
              transaction.getTransaction(),
              statusName(trace.getStatus()),
              start,
              end != null ? end : start,
              true,
              service,
              reasonOf(trace.getData())));
      for (SentrySpan span : transaction.getSpans()) {
        Double spanEnd = span.getTimestamp();
        spans.add(
            new Span(
                span.getSpanId().toString(),
                span.getParentSpanId() == null ? null : span.getParentSpanId().toString(),
                span.getOp(),
                span.getDescription(),
                statusName(span.getStatus()),
                span.getStartTimestamp(),
                spanEnd != null ? spanEnd : span.getStartTimestamp(),
                false,
                service,
                reasonOf(span.getData())));
      }
    }
    List<ErrorEvent> errors = new ArrayList<>();
    for (SentryEvent event : events) {
      errors.add(errorOf(event));
    }
    if (title == null) {
      title =
          spans.stream()
              .filter(Span::transaction)
              .min(Comparator.comparingDouble(Span::start))
              .map(Span::description)
              .orElse("(no transaction received)");
    }
    return new TraceView(traceId, title, spans, errors);
  }

  /**
   * Which service a transaction ran in: a gRPC server transaction names its service in {@code
   * rpc.service}; anything else is the storefront, where the traces start.
   */
  static String serviceOf(SentryTransaction transaction, SpanContext trace) {
    Object service = trace.getData() != null ? trace.getData().get("rpc.service") : null;
    if (service != null) {
      return String.valueOf(service);
    }
    String name = transaction.getTransaction();
    if ("grpc.server".equals(trace.getOperation()) && name != null && name.contains("/")) {
      return name.substring(0, name.indexOf('/'));
    }
    return Storefront.OP;
  }

  private static ErrorEvent errorOf(SentryEvent event) {
    SpanContext trace = event.getContexts().getTrace();
    String type = "error";
    String message = event.getMessage() != null ? event.getMessage().getFormatted() : null;
    String mechanism = null;
    Boolean handled = null;
    List<SentryException> exceptions = event.getExceptions();
    if (exceptions != null && !exceptions.isEmpty()) {
      // The SDK lists the chain with the exception that was thrown last.
      SentryException thrown = exceptions.get(exceptions.size() - 1);
      type = thrown.getType() != null ? thrown.getType() : type;
      message = thrown.getValue();
      Mechanism m = thrown.getMechanism();
      if (m != null) {
        mechanism = m.getType();
        handled = m.isHandled();
      }
    }
    double time =
        event.getTimestamp() != null ? event.getTimestamp().getTime() / 1000.0 : Double.NaN;
    return new ErrorEvent(
        event.getEventId() != null ? event.getEventId().toString() : "",
        trace != null && trace.getSpanId() != null ? trace.getSpanId().toString() : null,
        type,
        message,
        mechanism,
        handled,
        time,
        reasonOf(event));
  }

  /** {@code CARD_DECLINED (payments.shop.example)} from sentry-grpc's span data, or null. */
  static String reasonOf(Map<String, Object> data) {
    if (data == null || data.get("grpc.error.reason") == null) {
      return null;
    }
    Object domain = data.get("grpc.error.domain");
    return data.get("grpc.error.reason") + (domain != null ? " (" + domain + ")" : "");
  }

  /** The same from the error details in an event's grpc.client or grpc context, or null. */
  private static String reasonOf(SentryEvent event) {
    for (String name : List.of("grpc.client", "grpc")) {
      if (event.getContexts().get(name) instanceof Map<?, ?> context
          && context.get("error_details") instanceof Map<?, ?> details
          && details.get("reason") != null) {
        Object domain = details.get("domain");
        return details.get("reason") + (domain != null ? " (" + domain + ")" : "");
      }
    }
    return null;
  }

  private static String statusName(SpanStatus status) {
    return status == null ? null : status.apiName();
  }
}

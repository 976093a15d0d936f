package dev.sentrygrpc.testing;

import io.sentry.SpanContext;
import io.sentry.SpanId;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * A transaction (its root span) or a child span within a {@link TraceTree}, seen the same way so
 * parent links can be followed across transactions, e.g. from a server transaction to the client
 * span of the service that called it.
 */
public final class TraceNode {

  private final SentryTransaction transaction;
  private final SentrySpan span;

  private TraceNode(SentryTransaction transaction, SentrySpan span) {
    this.transaction = transaction;
    this.span = span;
  }

  static TraceNode rootOf(SentryTransaction transaction) {
    return new TraceNode(transaction, null);
  }

  static TraceNode spanOf(SentryTransaction transaction, SentrySpan span) {
    return new TraceNode(transaction, span);
  }

  /** Whether this is a transaction's root span rather than a child span. */
  public boolean isTransaction() {
    return span == null;
  }

  /** The transaction: this one, or the one the span was sent in. */
  public SentryTransaction transaction() {
    return transaction;
  }

  /** The span, or {@code null} for a transaction. */
  public SentrySpan span() {
    return span;
  }

  public SpanId spanId() {
    return span != null ? span.getSpanId() : trace().getSpanId();
  }

  /** The parent's span id, {@code null} for the root of a trace. */
  public SpanId parentSpanId() {
    return span != null ? span.getParentSpanId() : trace().getParentSpanId();
  }

  public String op() {
    return span != null ? span.getOp() : trace().getOperation();
  }

  /** The span's description, or the transaction's name for a transaction. */
  public String description() {
    return span != null ? span.getDescription() : transaction.getTransaction();
  }

  public SpanStatus status() {
    return span != null ? span.getStatus() : trace().getStatus();
  }

  /** The span data (for a transaction, the data of its trace context); never null. */
  public Map<String, Object> data() {
    Map<String, Object> data = span != null ? span.getData() : trace().getData();
    return data == null ? Collections.<String, Object>emptyMap() : data;
  }

  /** The tags (for a transaction, the transaction's tags); never null. */
  public Map<String, String> tags() {
    Map<String, String> tags = span != null ? span.getTags() : transaction.getTags();
    return tags == null ? Collections.<String, String>emptyMap() : new HashMap<>(tags);
  }

  /** Start, in seconds since the epoch. */
  public double startTimestamp() {
    return span != null ? span.getStartTimestamp() : transaction.getStartTimestamp();
  }

  /** End, in seconds since the epoch; {@code null} if it never finished. */
  public Double timestamp() {
    return span != null ? span.getTimestamp() : transaction.getTimestamp();
  }

  private SpanContext trace() {
    SpanContext trace = transaction.getContexts().getTrace();
    if (trace == null) {
      throw new IllegalStateException(
          "transaction '" + transaction.getTransaction() + "' has no trace context");
    }
    return trace;
  }

  /** {@code op 'description' [status]}, with {@code (transaction)} for a transaction. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder().append(op()).append(" '").append(description());
    text.append("'");
    if (status() != null) {
      text.append(" [").append(status().apiName()).append("]");
    }
    if (isTransaction()) {
      text.append(" (transaction)");
    }
    return text.toString();
  }
}

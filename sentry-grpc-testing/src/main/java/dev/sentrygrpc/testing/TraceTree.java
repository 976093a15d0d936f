package dev.sentrygrpc.testing;

import io.sentry.SentryEvent;
import io.sentry.SpanContext;
import io.sentry.SpanId;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The transactions and spans of one trace as received, linked by their parent span ids (across
 * transactions too), and the error events that happened in the trace. A snapshot: it does not
 * change when more arrives.
 *
 * <pre>{@code
 * SentryId traceId = receiver.traceIds().get(0);
 * TraceTree trace = receiver.awaitTrace(traceId, t -> t.transactions().size() == 2, timeout);
 * TraceNode server = trace.byOp("grpc.server");
 * assertThat(trace.parentOf(server)).hasValue(trace.byOp("grpc.client"));
 * }</pre>
 */
public final class TraceTree {

  private static final Comparator<TraceNode> BY_START =
      Comparator.comparingDouble(TraceNode::startTimestamp);

  private final SentryId traceId;
  private final List<SentryTransaction> transactions;
  private final List<TraceNode> nodes;
  private final Map<SpanId, TraceNode> bySpanId = new HashMap<>();
  private final List<SentryEvent> errors;

  TraceTree(
      SentryId traceId, List<SentryTransaction> allTransactions, List<SentryEvent> allEvents) {
    this.traceId = traceId;
    List<SentryTransaction> inTrace = new ArrayList<>();
    List<TraceNode> allNodes = new ArrayList<>();
    for (SentryTransaction transaction : allTransactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null || !traceId.equals(trace.getTraceId())) {
        continue;
      }
      inTrace.add(transaction);
      allNodes.add(TraceNode.rootOf(transaction));
      for (SentrySpan span : transaction.getSpans()) {
        allNodes.add(TraceNode.spanOf(transaction, span));
      }
    }
    for (TraceNode node : allNodes) {
      bySpanId.put(node.spanId(), node);
    }
    List<SentryEvent> inTraceErrors = new ArrayList<>();
    for (SentryEvent event : allEvents) {
      SpanContext trace = event.getContexts().getTrace();
      if (trace != null && traceId.equals(trace.getTraceId())) {
        inTraceErrors.add(event);
      }
    }
    this.transactions = Collections.unmodifiableList(inTrace);
    this.nodes = Collections.unmodifiableList(allNodes);
    this.errors = Collections.unmodifiableList(inTraceErrors);
  }

  public SentryId traceId() {
    return traceId;
  }

  /** The transactions of this trace, in the order they arrived. */
  public List<SentryTransaction> transactions() {
    return transactions;
  }

  /** Every transaction and span of this trace, in the order they arrived. */
  public List<TraceNode> nodes() {
    return nodes;
  }

  /** The nodes that match, in the order they arrived. */
  public List<TraceNode> nodes(Predicate<? super TraceNode> condition) {
    List<TraceNode> matching = new ArrayList<>();
    for (TraceNode node : nodes) {
      if (condition.test(node)) {
        matching.add(node);
      }
    }
    return matching;
  }

  /**
   * The one node that matches.
   *
   * @throws AssertionError if none or several match; the message shows the whole tree
   */
  public TraceNode node(Predicate<? super TraceNode> condition, String description) {
    List<TraceNode> matching = nodes(condition);
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected exactly one span "
              + description
              + " in trace "
              + traceId
              + ", found "
              + matching.size()
              + ":\n"
              + this);
    }
    return matching.get(0);
  }

  /** The one transaction or span with this op, e.g. {@code "grpc.server"}. */
  public TraceNode byOp(final String op) {
    return node(node -> op.equals(node.op()), "with op '" + op + "'");
  }

  /** The one span with this description, or transaction with this name. */
  public TraceNode byDescription(final String description) {
    return node(
        node -> description.equals(node.description()),
        "with description '" + description + "'");
  }

  /**
   * The node whose span id is the given node's parent span id, if it is in this trace. For a server
   * transaction continued from an incoming trace, that is the caller's client span.
   */
  public Optional<TraceNode> parentOf(TraceNode node) {
    SpanId parent = node.parentSpanId();
    return parent == null ? Optional.<TraceNode>empty() : Optional.ofNullable(bySpanId.get(parent));
  }

  /** The nodes whose parent is the given node, by start time. */
  public List<TraceNode> childrenOf(final TraceNode node) {
    final SpanId id = node.spanId();
    List<TraceNode> children = nodes(child -> id.equals(child.parentSpanId()));
    Collections.sort(children, BY_START);
    return children;
  }

  /**
   * The nodes without a parent in this trace, by start time: normally the one transaction that
   * started the trace; more if a part of the trace did not arrive (or was not sampled).
   */
  public List<TraceNode> roots() {
    List<TraceNode> roots = nodes(node -> !parentOf(node).isPresent());
    Collections.sort(roots, BY_START);
    return roots;
  }

  /** The error events whose trace context belongs to this trace, in the order they arrived. */
  public List<SentryEvent> errors() {
    return errors;
  }

  /** The error events captured while the given span (or transaction) was the active one. */
  public List<SentryEvent> errorsOf(TraceNode node) {
    List<SentryEvent> ofNode = new ArrayList<>();
    for (SentryEvent event : errors) {
      SpanContext trace = event.getContexts().getTrace();
      if (trace != null && node.spanId().equals(trace.getSpanId())) {
        ofNode.add(event);
      }
    }
    return ofNode;
  }

  /** The tree, one node a line, indented under its parent; then the errors. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("trace ").append(traceId);
    if (nodes.isEmpty()) {
      text.append(" (no transaction received)");
    }
    Set<TraceNode> printed =
        Collections.newSetFromMap(new IdentityHashMap<TraceNode, Boolean>());
    for (TraceNode root : roots()) {
      appendTree(text, root, "  ", printed);
    }
    for (SentryEvent error : errors) {
      text.append("\n  error: ").append(Summaries.event(error));
    }
    return text.toString();
  }

  private void appendTree(
      StringBuilder text, TraceNode node, String indent, Set<TraceNode> printed) {
    // Spans come from other processes and SDKs: a broken parent link must not loop forever.
    if (!printed.add(node)) {
      return;
    }
    text.append('\n').append(indent).append(node);
    for (TraceNode child : childrenOf(node)) {
      appendTree(text, child, indent + "  ", printed);
    }
  }
}

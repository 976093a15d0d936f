package dev.sentrygrpc.demo;

import dev.sentrygrpc.testing.ReceivedMetrics;
import dev.sentrygrpc.testing.SentryReceiver;
import io.sentry.SentryEvent;
import io.sentry.SpanContext;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Waits until the local receiver holds everything the scripted run should have produced. The SDK
 * sends each transaction when it finishes, and a server's transaction can finish a moment after
 * its caller got the answer, so "flushed" is not quite "all there": this checks the data itself.
 */
final class Delivery {

  /** What arrived, and whether it is complete ({@code missing} says what is not). */
  record Received(
      List<SentryTransaction> transactions,
      List<SentryEvent> events,
      ReceivedMetrics metrics,
      String missing) {
    boolean complete() {
      return missing == null;
    }
  }

  private Delivery() {}

  static Received await(SentryReceiver receiver, ScenarioResult scenario, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SentryTransaction> transactions = receiver.transactions();
      List<SentryEvent> events = receiver.events();
      ReceivedMetrics metrics = receiver.metrics();
      String missing = missing(scenario, transactions, events);
      if (missing == null) {
        missing = missingMetrics(scenario, metrics);
      }
      if (missing == null || System.nanoTime() > deadline) {
        return new Received(transactions, events, metrics, missing);
      }
      SimulatedWork.sleep(25);
    }
  }

  /**
   * What is still missing, or null: each sampled step's own transaction, a server transaction for
   * every client span of those traces (the callee's half of each hop), and the error events.
   */
  static String missing(
      ScenarioResult scenario, List<SentryTransaction> transactions, List<SentryEvent> events) {
    Set<String> sampled = new HashSet<>(scenario.sampledTraceIds());
    Set<String> stepTransactions = new HashSet<>();
    Set<String> parentsOfTransactions = new HashSet<>();
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null) {
        continue;
      }
      if (Storefront.OP.equals(trace.getOperation())) {
        stepTransactions.add(trace.getTraceId().toString());
      }
      if (trace.getParentSpanId() != null) {
        parentsOfTransactions.add(trace.getParentSpanId().toString());
      }
    }
    for (String traceId : sampled) {
      if (!stepTransactions.contains(traceId)) {
        return "the storefront transaction of trace " + traceId;
      }
    }
    for (SentryTransaction transaction : transactions) {
      SpanContext trace = transaction.getContexts().getTrace();
      if (trace == null || !sampled.contains(trace.getTraceId().toString())) {
        continue;
      }
      for (SentrySpan span : transaction.getSpans()) {
        if ("grpc.client".equals(span.getOp())
            && !parentsOfTransactions.contains(span.getSpanId().toString())) {
          return "the server transaction of " + span.getDescription() + " in trace " + trace.getTraceId();
        }
      }
    }
    if (events.size() < scenario.expectedErrors()) {
      return scenario.expectedErrors() + " error event(s), " + events.size() + " arrived";
    }
    return null;
  }

  /**
   * The metrics of the storefront's calls, or null when they are all there: OrderService counted
   * each of them, sampled or not (they were sent when Sentry closed).
   */
  static String missingMetrics(ScenarioResult scenario, ReceivedMetrics metrics) {
    Map<String, Integer> calls = new TreeMap<>();
    for (StepResult step : scenario.steps()) {
      calls.merge(step.method(), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> method : calls.entrySet()) {
      double counted = metrics.named(MethodTable.CALLS).where("rpc.method", method.getKey()).sum();
      if (counted < method.getValue()) {
        return "the metrics of " + method.getKey() + ": " + (int) counted + " of " + method.getValue() + " calls";
      }
    }
    return null;
  }
}

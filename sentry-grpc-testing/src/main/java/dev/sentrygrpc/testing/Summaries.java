package dev.sentrygrpc.testing;

import io.sentry.SentryEvent;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import io.sentry.protocol.Message;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryTransaction;
import io.sentry.SpanContext;
import java.util.List;

/**
 * One-line descriptions of what arrived, for failure messages: a failed await should say what the
 * SDK did send, so nobody has to rerun the test with a debugger to find out.
 */
final class Summaries {

  private Summaries() {}

  static String whatArrived(
      List<ReceivedEnvelope> received, List<ReceivedEnvelope> refused, int refusedRequests) {
    StringBuilder text = new StringBuilder();
    if (received.isEmpty()) {
      text.append("no envelope was received");
    } else {
      text.append(received.size()).append(received.size() == 1 ? " envelope" : " envelopes");
      text.append(" received:");
      appendNumbered(text, received);
    }
    if (refusedRequests > 0) {
      text.append("\nand ").append(refusedRequests).append(" request(s) refused");
      if (!refused.isEmpty()) {
        text.append(", carrying:");
        appendNumbered(text, refused);
      }
    }
    return text.toString();
  }

  static String envelope(ReceivedEnvelope envelope) {
    StringBuilder text = new StringBuilder();
    for (ReceivedItem item : envelope.items()) {
      text.append(text.length() == 0 ? "" : ", ").append(item(item));
    }
    return text.length() == 0 ? "(no items)" : text.toString();
  }

  static String item(ReceivedItem item) {
    if (item.event() != null) {
      return event(item.event());
    }
    if (item.transaction() != null) {
      return transaction(item.transaction());
    }
    if (item.clientReport() != null) {
      return clientReport(item.clientReport());
    }
    if (!item.metrics().isEmpty()) {
      return "trace_metric x" + item.metrics().size();
    }
    if (!item.logs().isEmpty()) {
      return "log x" + item.logs().size();
    }
    if (!item.decodeProblems().isEmpty()) {
      return item.type() + " (not decoded: " + item.decodeProblems().get(0) + ")";
    }
    return item.type();
  }

  static String event(SentryEvent event) {
    StringBuilder text = new StringBuilder("event ").append(event.getEventId());
    List<SentryException> exceptions = event.getExceptions();
    Message message = event.getMessage();
    if (exceptions != null && !exceptions.isEmpty()) {
      SentryException outermost = exceptions.get(exceptions.size() - 1);
      text.append(" ").append(outermost.getType()).append(": ").append(outermost.getValue());
    } else if (message != null) {
      String formatted =
          message.getFormatted() != null ? message.getFormatted() : message.getMessage();
      text.append(" '").append(formatted).append("'");
    }
    return text.toString();
  }

  static String transaction(SentryTransaction transaction) {
    StringBuilder text = new StringBuilder("transaction '").append(transaction.getTransaction());
    text.append("'");
    SpanContext trace = transaction.getContexts().getTrace();
    if (trace != null) {
      text.append(" op=").append(trace.getOperation()).append(" trace=").append(trace.getTraceId());
    }
    int spans = transaction.getSpans().size();
    return text.append(" (").append(spans).append(spans == 1 ? " span)" : " spans)").toString();
  }

  static String clientReport(ClientReport report) {
    StringBuilder text = new StringBuilder("client_report [");
    boolean first = true;
    for (DiscardedEvent discarded : report.getDiscardedEvents()) {
      text.append(first ? "" : ", ").append(discarded.getReason()).append(' ');
      text.append(discarded.getCategory()).append(" x").append(discarded.getQuantity());
      first = false;
    }
    return text.append("]").toString();
  }

  private static void appendNumbered(StringBuilder text, List<ReceivedEnvelope> envelopes) {
    int number = 1;
    for (ReceivedEnvelope envelope : envelopes) {
      text.append("\n  ").append(number++).append(". ").append(envelope(envelope));
    }
  }
}

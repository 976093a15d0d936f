package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentry.BaggageHeader;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SentryTraceHeader;
import io.sentry.SpanStatus;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SDK, with its real HTTP transport, sending to a receiver. */
class SdkRoundTripTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    TestSentry.init(receiver);
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void dsnNamesTheLoopbackAddressThePortAndTheProject() {
    assertThat(receiver.dsn())
        .isEqualTo(
            "http://" + receiver.publicKey() + "@127.0.0.1:" + receiver.port() + "/"
                + receiver.projectId());
    assertThat(receiver.publicKey()).matches("[0-9a-f]{32}");
  }

  @Test
  void decodesACapturedException() {
    SentryId id = Sentry.captureException(new IllegalStateException("boom"));
    TestSentry.flush();

    List<SentryEvent> events = receiver.awaitEvents(1, TIMEOUT);
    assertThat(events).hasSize(1);
    SentryEvent event = events.get(0);
    assertThat(event.getEventId()).isEqualTo(id);
    assertThat(event.getExceptions()).isNotEmpty();
    assertThat(event.getExceptions().get(0).getType()).isEqualTo("IllegalStateException");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("boom");
    assertThat(event.getRelease()).isEqualTo("receiver-test@1.0.0");
    assertThat(event.getEnvironment()).isEqualTo("test");
    assertThat(receiver.receivedRequests()).isEqualTo(1);
    assertThat(receiver.refusedRequests()).isZero();

    ReceivedEnvelope envelope = receiver.envelopes().get(0);
    assertThat(envelope.header().getEventId()).isEqualTo(id);
    assertThat(envelope.header().getSdkVersion().getName()).isEqualTo("sentry.java");
    assertThat(envelope.items()).extracting(ReceivedItem::type).containsExactly("event");
    assertThat(envelope.rawAsString()).contains("boom").contains(id.toString());
  }

  @Test
  void decodesATransactionWithItsSpans() {
    ITransaction transaction = Sentry.startTransaction("checkout", "task");
    ISpan child = transaction.startChild("db.query", "SELECT 1");
    child.setData("db.system", "h2");
    child.finish(SpanStatus.OK);
    transaction.finish(SpanStatus.OK);
    TestSentry.flush();

    SentryTransaction received = receiver.awaitTransactions(1, TIMEOUT).get(0);
    assertThat(received.getTransaction()).isEqualTo("checkout");
    assertThat(received.getContexts().getTrace().getOperation()).isEqualTo("task");
    assertThat(received.getContexts().getTrace().getTraceId())
        .isEqualTo(transaction.getSpanContext().getTraceId());
    assertThat(received.getSpans()).hasSize(1);
    SentrySpan span = received.getSpans().get(0);
    assertThat(span.getOp()).isEqualTo("db.query");
    assertThat(span.getDescription()).isEqualTo("SELECT 1");
    assertThat(span.getData()).containsEntry("db.system", "h2");
    assertThat(span.getParentSpanId()).isEqualTo(transaction.getSpanContext().getSpanId());

    // The dynamic sampling context travels in the envelope header.
    ReceivedEnvelope envelope = receiver.envelopes().get(0);
    assertThat(envelope.header().getTraceContext()).isNotNull();
    assertThat(envelope.header().getTraceContext().getTraceId())
        .isEqualTo(transaction.getSpanContext().getTraceId());
    assertThat(envelope.header().getTraceContext().getPublicKey())
        .isEqualTo(receiver.publicKey());
    assertThat(envelope.header().getTraceContext().getTransaction()).isEqualTo("checkout");
  }

  @Test
  void buildsTheTraceTreeWithErrorsLinkedToTheirSpan() {
    ITransaction transaction = Sentry.startTransaction("checkout", "task");
    SentryId errorId;
    try (ISentryLifecycleToken ignored = transaction.makeCurrent()) {
      ISpan payment = transaction.startChild("payment", "charge card");
      ISpan http = payment.startChild("http.client", "POST /charge");
      try (ISentryLifecycleToken alsoIgnored = http.makeCurrent()) {
        errorId = Sentry.captureException(new IllegalStateException("card declined"));
      }
      http.finish(SpanStatus.INTERNAL_ERROR);
      payment.finish(SpanStatus.INTERNAL_ERROR);
    }
    transaction.finish(SpanStatus.INTERNAL_ERROR);
    TestSentry.flush();

    SentryId traceId = transaction.getSpanContext().getTraceId();
    TraceTree trace =
        receiver.awaitTrace(
            traceId, t -> t.transactions().size() == 1 && t.errors().size() == 1, TIMEOUT);

    assertThat(receiver.traceIds()).containsExactly(traceId);
    TraceNode root = trace.byOp("task");
    TraceNode payment = trace.byOp("payment");
    TraceNode http = trace.byDescription("POST /charge");
    assertThat(root.isTransaction()).isTrue();
    assertThat(root.description()).isEqualTo("checkout");
    assertThat(trace.roots()).containsExactly(root);
    assertThat(trace.parentOf(root)).isEmpty();
    assertThat(trace.parentOf(payment)).contains(root);
    assertThat(trace.parentOf(http)).contains(payment);
    assertThat(trace.childrenOf(root)).containsExactly(payment);
    assertThat(trace.childrenOf(payment)).containsExactly(http);
    assertThat(http.status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(trace.errors()).extracting(SentryEvent::getEventId).containsExactly(errorId);
    assertThat(trace.errorsOf(http)).extracting(SentryEvent::getEventId).containsExactly(errorId);
    assertThat(trace.errorsOf(payment)).isEmpty();
    assertThat(trace.toString())
        .contains("task 'checkout' [internal_error] (transaction)")
        .contains("\n    payment 'charge card'")
        .contains("\n      http.client 'POST /charge'")
        .contains("error: event " + errorId);
  }

  @Test
  void linksATransactionContinuedFromAnotherProcessToTheCallersSpan() {
    // The "client" side: a span whose trace headers go out with a request.
    ITransaction client = Sentry.startTransaction("call Greeter", "task");
    ISpan outgoing = client.startChild("grpc.client", "helloworld.Greeter/SayHello");
    SentryTraceHeader sentryTrace = outgoing.toSentryTrace();
    BaggageHeader baggage = outgoing.toBaggageHeader(Collections.<String>emptyList());

    // The "server" side continues the trace from those headers.
    TransactionContext continued =
        Sentry.continueTrace(
            sentryTrace.getValue(),
            baggage == null ? null : Collections.singletonList(baggage.getValue()));
    continued.setName("helloworld.Greeter/SayHello");
    continued.setOperation("grpc.server");
    ITransaction server = Sentry.startTransaction(continued, new TransactionOptions());
    server.finish(SpanStatus.OK);

    outgoing.finish(SpanStatus.OK);
    client.finish(SpanStatus.OK);
    TestSentry.flush();

    TraceTree trace =
        receiver.awaitTrace(
            client.getSpanContext().getTraceId(), t -> t.transactions().size() == 2, TIMEOUT);
    TraceNode serverNode = trace.byOp("grpc.server");
    TraceNode clientSpan = trace.byOp("grpc.client");
    assertThat(trace.parentOf(serverNode)).contains(clientSpan);
    assertThat(trace.childrenOf(clientSpan)).containsExactly(serverNode);
    assertThat(trace.roots()).extracting(TraceNode::op).containsExactly("task");
  }

  @Test
  void awaitingWhatNeverComesFailsWithWhatDidArrive() {
    Sentry.captureException(new IllegalStateException("the only one"));
    TestSentry.flush();
    receiver.awaitEvents(1, TIMEOUT);

    assertThatThrownBy(() -> receiver.awaitTransactions(1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected 1 transaction(s) within 50 ms")
        .hasMessageContaining("1 envelope received")
        .hasMessageContaining("IllegalStateException: the only one");

    SentryId traceId = receiver.traceIds().get(0);
    assertThatThrownBy(
            () ->
                receiver.awaitTrace(
                    traceId, t -> !t.transactions().isEmpty(), Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected trace " + traceId + " to match the condition within 50 ms")
        .hasMessageContaining(
            "The trace as it is now: trace " + traceId + " (no transaction received)")
        .hasMessageContaining("error: event ");
  }

  @Test
  void awaitsAnEventOrTransactionThatMatches() {
    Sentry.captureMessage("first");
    Sentry.captureMessage("second");
    Sentry.startTransaction("wanted", "task").finish();
    TestSentry.flush();

    SentryEvent second =
        receiver.awaitEvent(
            event -> "second".equals(event.getMessage().getFormatted()), TIMEOUT);
    assertThat(second.getMessage().getFormatted()).isEqualTo("second");
    assertThat(receiver.awaitTransaction(t -> "wanted".equals(t.getTransaction()), TIMEOUT))
        .isNotNull();
  }

  @Test
  void clearForgetsEverything() {
    Sentry.captureMessage("before clear");
    TestSentry.flush();
    receiver.awaitEvents(1, TIMEOUT);

    receiver.clear();

    assertThat(receiver.envelopes()).isEmpty();
    assertThat(receiver.events()).isEmpty();
    assertThat(receiver.receivedRequests()).isZero();
    Sentry.captureMessage("after clear");
    TestSentry.flush();
    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(event -> event.getMessage().getFormatted())
        .containsExactly("after clear");
  }
}

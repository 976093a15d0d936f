package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import io.sentry.protocol.SentryId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the SDK (8.62.0, real HTTP transport) does against each fault mode, and that the code
 * calling Sentry never notices. Each test runs a fresh SDK: rate limits live in the SDK's
 * transport and would leak from one test into the next.
 */
class FaultModesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
  }

  @AfterEach
  void stop() {
    receiver.faults().healthy();
    Sentry.close();
    receiver.close();
  }

  @Test
  void afterA500TheEventIsLostAndReportedAsSendError() {
    TestSentry.init(receiver);
    receiver.faults().serverError();

    SentryId lost = captureWithoutNoticing("lost to a 500");
    TestSentry.flush();

    assertThat(receiver.refusedRequests()).isEqualTo(1);
    assertThat(receiver.receivedRequests()).isZero();
    assertThat(receiver.events()).isEmpty();
    assertThat(receiver.refusedEnvelopes().get(0).events())
        .extracting(SentryEvent::getEventId)
        .containsExactly(lost);

    receiver.faults().healthy();
    SentryId delivered = captureWithoutNoticing("after the 500");
    TestSentry.flush();

    // No retry of the lost event; the next envelope says it was dropped.
    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(SentryEvent::getEventId)
        .containsExactly(delivered);
    assertThat(discarded()).containsExactly("send_error error x1");
  }

  @Test
  void afterA429WithRetryAfterTheSdkSendsNothingAtAllUntilItIsRestarted() {
    TestSentry.init(receiver);
    receiver.faults().retryAfter(Duration.ofSeconds(60));

    captureWithoutNoticing("answered 429");
    TestSentry.flush();
    assertThat(receiver.refusedRequests()).isEqualTo(1);

    receiver.faults().healthy();
    captureWithoutNoticing("dropped while backing off");
    Sentry.startTransaction("dropped too", "task").finish();
    TestSentry.flush();

    // The SDK did not even try: a Retry-After without categories limits every category.
    assertThat(receiver.refusedRequests()).isEqualTo(1);
    assertThat(receiver.receivedRequests()).isZero();

    // The rate limit lives in the SDK's transport: a new SDK starts without it.
    Sentry.close();
    TestSentry.init(receiver);
    SentryId afterRestart = captureWithoutNoticing("after a restart");
    TestSentry.flush();
    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(SentryEvent::getEventId)
        .containsExactly(afterRestart);
  }

  @Test
  void afterA429WithTransactionRateLimitsOnlyTransactionsStopAndTheDropIsReported() {
    TestSentry.init(receiver);
    receiver.faults().rateLimits("60:transaction:key");

    finishTransactionWithoutNoticing("rate limited");
    TestSentry.flush();
    assertThat(receiver.refusedRequests()).isEqualTo(1);
    assertThat(receiver.refusedEnvelopes().get(0).transactions()).hasSize(1);

    receiver.faults().healthy();
    finishTransactionWithoutNoticing("backed off");
    SentryId error = captureWithoutNoticing("errors still go");
    TestSentry.flush();

    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(SentryEvent::getEventId)
        .containsExactly(error);
    assertThat(receiver.transactions()).isEmpty();
    // The 429 itself is not reported (the server dropped it, not the SDK); the backed-off
    // transaction is, with its two spans (root and child).
    assertThat(discarded())
        .containsExactlyInAnyOrder("ratelimit_backoff transaction x1", "ratelimit_backoff span x2");
  }

  @Test
  void aStalledSentryNeverBlocksTheApplication() {
    TestSentry.init(receiver);
    receiver.faults().stall(Duration.ofSeconds(60));

    captureWithoutNoticing("stalled");
    Sentry.flush(200); // gives up waiting; the request stays held by the receiver

    assertThat(receiver.receivedRequests()).isZero();
    assertThat(receiver.refusedRequests()).isZero();

    receiver.faults().healthy(); // releases the held request, which is then accepted
    assertThat(receiver.awaitEvents(1, TIMEOUT)).hasSize(1);
  }

  @Test
  void aStallLongerThanTheReadTimeoutIsGivenUpSilentlyWithoutRetry() {
    TestSentry.init(receiver, options -> options.setReadTimeoutMillis(200));
    receiver.faults().stall(Duration.ofSeconds(60));

    captureWithoutNoticing("timed out");
    TestSentry.flush(); // returns once the SDK's read timed out

    receiver.faults().healthy();
    captureWithoutNoticing("after the timeout");
    TestSentry.flush();

    // The server got the first one late; the SDK never knew, so it neither resent nor reported it.
    List<SentryEvent> events = receiver.awaitEvents(2, TIMEOUT);
    assertThat(events).hasSize(2);
    assertThat(receiver.receivedRequests()).isEqualTo(2);
    assertThat(discarded()).isEmpty();
  }

  @Test
  void aDroppedConnectionLosesTheEventSilently() {
    TestSentry.init(receiver);
    receiver.faults().dropConnections();

    SentryId lost = captureWithoutNoticing("dropped");
    TestSentry.flush();

    // HttpURLConnection itself may retry a POST once on an unanswered connection.
    assertThat(receiver.refusedRequests()).isGreaterThanOrEqualTo(1);
    for (ReceivedEnvelope tried : receiver.refusedEnvelopes()) {
      assertThat(tried.events()).extracting(SentryEvent::getEventId).containsExactly(lost);
    }

    receiver.faults().healthy();
    SentryId delivered = captureWithoutNoticing("after the drop");
    TestSentry.flush();
    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(SentryEvent::getEventId)
        .containsExactly(delivered);
    assertThat(discarded()).isEmpty();
  }

  @Test
  void aRefusedConnectionLosesTheEventAndReportsANetworkError() {
    TestSentry.init(receiver);
    int port = receiver.port();
    receiver.faults().refuseConnections();

    captureWithoutNoticing("refused");
    TestSentry.flush();
    assertThat(receiver.receivedRequests()).isZero();
    assertThat(receiver.refusedRequests()).isZero(); // it never reached the receiver

    receiver.faults().healthy();
    assertThat(receiver.port()).isEqualTo(port);
    SentryId delivered = captureWithoutNoticing("after the refusal");
    TestSentry.flush();
    assertThat(receiver.awaitEvents(1, TIMEOUT))
        .extracting(SentryEvent::getEventId)
        .containsExactly(delivered);
    assertThat(discarded()).containsExactly("network_error error x1");
  }

  @Test
  void anyErrorStatusCanBeAnswered() throws Exception {
    receiver.faults().respondWith(503);
    Http.Answer answer = Http.to(receiver).post("{}\n{\"type\":\"event\",\"length\":2}\n{}");
    assertThat(answer.status).isEqualTo(503);
    assertThat(answer.body).contains("\"detail\"").contains("fault injected");
    assertThat(receiver.faults().toString()).isEqualTo("answer 503");

    receiver.faults().healthy();
    assertThat(receiver.faults().isHealthy()).isTrue();
    assertThat(Http.to(receiver).post("{}\n{\"type\":\"event\",\"length\":2}\n{}").status)
        .isEqualTo(200);
  }

  /** Every discarded-event line of the client reports received, as "reason category xN". */
  private List<String> discarded() {
    List<String> lines = new ArrayList<>();
    for (ClientReport report : receiver.clientReports()) {
      for (DiscardedEvent event : report.getDiscardedEvents()) {
        lines.add(event.getReason() + " " + event.getCategory() + " x" + event.getQuantity());
      }
    }
    return lines;
  }

  private static SentryId captureWithoutNoticing(final String message) {
    final List<SentryId> id = new ArrayList<>();
    assertThatCode(() -> id.add(Sentry.captureException(new IllegalStateException(message))))
        .doesNotThrowAnyException();
    return id.get(0);
  }

  private static void finishTransactionWithoutNoticing(final String name) {
    assertThatCode(
            () -> {
              ITransaction transaction = Sentry.startTransaction(name, "task");
              transaction.startChild("child", "of " + name).finish();
              transaction.finish();
            })
        .doesNotThrowAnyException();
  }
}

package dev.sentrygrpc.reliability;

import dev.sentrygrpc.testservice.WarmUp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentryTransaction;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way a call can end early, over Netty: client cancels, deadlines on each call kind, the
 * server shut down mid-stream, the channel shut down mid-call, handlers that never answer. Every
 * transaction that starts finishes exactly once with the status the client saw, and nothing keeps
 * a call's scopes alive afterwards.
 */
class LifecycleTest {
  private SentryReceiver receiver;
  private ExecutorService serverPool;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, options -> {});
    serverPool = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void stop() {
    serverPool.shutdownNow();
    Sentry.close();
    receiver.close();
  }

  @ParameterizedTest
  @EnumSource(Calls.Kind.class)
  void deadlinesOnEveryCallKindGiveDeadlineExceededOnce(Calls.Kind kind) throws Exception {
    try (Harness harness = Harness.start(serverPool, SentryGrpcOptions.defaults(), false)) {
      WarmUp.connect(harness.channel);
      for (int i = 0; i < 3; i++) {
        Status status = Calls.call(harness, kind, "late-" + i + " hang", null, 150);
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      }
      awaitCancellations(harness, 3);
      assertEachFinishedOnce(3, SpanStatus.DEADLINE_EXCEEDED);
      assertScopesReleased(harness);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Calls.Kind.class, names = {"SERVER_STREAMING", "CLIENT_STREAMING", "BIDI"})
  void clientCancelsMidStreamGiveCancelledOnce(Calls.Kind kind) throws Exception {
    try (Harness harness = Harness.start(serverPool, SentryGrpcOptions.defaults(), false)) {
      for (int i = 0; i < 3; i++) {
        Context.CancellableContext context = Context.current().withCancellation();
        Calls.Outcome outcome = new Calls.Outcome();
        String message = "gone-" + i + " hang";
        context.run(() -> startStreaming(harness, kind, message, outcome));
        awaitCalls(harness, i + 1);
        context.cancel(null);
        assertThat(outcome.await().getCode()).isEqualTo(Status.Code.CANCELLED);
      }
      awaitCancellations(harness, 3);
      assertEachFinishedOnce(3, SpanStatus.CANCELLED);
      assertScopesReleased(harness);
    }
  }

  @Test
  void serverShutdownNowMidStreamFinishesEveryCallOnce() throws Exception {
    Harness harness = Harness.start(serverPool, SentryGrpcOptions.defaults(), false);
    List<Calls.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Calls.Outcome outcome = new Calls.Outcome();
      startStreaming(harness, Calls.Kind.BIDI, "open-" + i + " hang", outcome);
      outcomes.add(outcome);
    }
    awaitCalls(harness, 5);
    harness.server.shutdownNow();
    for (Calls.Outcome outcome : outcomes) {
      // Netty resets the streams (CANCELLED) or the connection goes first (UNAVAILABLE).
      assertThat(outcome.await().getCode()).isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
    }
    harness.close();
    assertEachFinishedOnce(5, SpanStatus.CANCELLED);
    assertScopesReleased(harness);
  }

  @Test
  void channelShutdownNowMidCallFinishesEveryCallOnce() throws Exception {
    try (Harness harness = Harness.start(serverPool, SentryGrpcOptions.defaults(), false)) {
      List<Calls.Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Calls.Outcome outcome = new Calls.Outcome();
        startStreaming(harness, i % 2 == 0 ? Calls.Kind.BIDI : Calls.Kind.SERVER_STREAMING,
            "dropped-" + i + " hang", outcome);
        outcomes.add(outcome);
      }
      awaitCalls(harness, 5);
      harness.channel.shutdownNow();
      for (Calls.Outcome outcome : outcomes) {
        assertThat(outcome.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }
      awaitCancellations(harness, 5);
      assertEachFinishedOnce(5, SpanStatus.CANCELLED);
      assertScopesReleased(harness);
    }
  }

  private static void startStreaming(
      Harness harness, Calls.Kind kind, String message, Calls.Outcome outcome) {
    EchoRequest request = EchoRequest.newBuilder().setMessage(message).setCount(1).build();
    switch (kind) {
      case SERVER_STREAMING:
        harness.async().serverStream(request, outcome);
        break;
      case CLIENT_STREAMING:
        harness.async().clientStream(outcome).onNext(request);
        break;
      case BIDI:
        StreamObserver<EchoRequest> requests = harness.async().bidi(outcome);
        requests.onNext(request);
        break;
      default:
        throw new AssertionError(kind);
    }
  }

  /** Waits until the handlers have seen this many calls (their scopes are recorded then). */
  private static void awaitCalls(Harness harness, int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (harness.service.callScopes.size() < count && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(harness.service.callScopes).hasSizeGreaterThanOrEqualTo(count);
  }

  private static void awaitCancellations(Harness harness, int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (harness.service.cancellations.get() < count && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(harness.service.cancellations.get()).isEqualTo(count);
  }

  private void assertEachFinishedOnce(int calls, SpanStatus status) {
    List<SentryTransaction> transactions = receiver.awaitTransactions(calls, Duration.ofSeconds(20));
    Sentry.flush(2000);
    transactions = receiver.transactions();
    Map<String, Integer> perCall = new HashMap<>();
    for (SentryTransaction transaction : transactions) {
      perCall.merge(transaction.getTag("call"), 1, Integer::sum);
      assertThat(transaction.getStatus()).as("status of %s", transaction.getTag("call")).isEqualTo(status);
    }
    assertThat(transactions).hasSize(calls);
    assertThat(perCall.values()).containsOnly(1);
  }

  /** After the calls, nothing in the library or the SDK may keep a call's scopes reachable. */
  private static void assertScopesReleased(Harness harness) throws InterruptedException {
    List<WeakReference<IScopes>> references = harness.service.callScopes;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end && references.stream().anyMatch(r -> r.get() != null)) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(references).allMatch(r -> r.get() == null, "released");
  }
}

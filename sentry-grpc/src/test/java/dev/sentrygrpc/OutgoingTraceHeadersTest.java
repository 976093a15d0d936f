package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sentry.Baggage;
import io.sentry.BaggageHeader;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SpanOptions;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.W3CTraceparentHeader;
import io.sentry.protocol.SentryId;
import io.sentry.util.TracingUtils;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard of the baggage remembered per trace ({@link OutgoingTraceHeaders}): at every step of a
 * trace's life, the headers it gives must be exactly what the SDK's own {@code TracingUtils.trace}
 * gives at that moment. The compatibility matrix runs this class against every Sentry SDK version
 * it covers, so an SDK that changes a frozen baggage in a new way, or encodes it differently,
 * fails here rather than sending stale values.
 *
 * <p>Each step asks {@link OutgoingTraceHeaders} first (so it sees the baggage as the call would:
 * mutable on a trace's first call), then the SDK, and compares {@code sentry-trace}, {@code
 * baggage} and {@code traceparent}. {@link #rememberedHits} says how many steps were answered from
 * what was remembered, so the comparisons provably exercise the cache.
 */
class OutgoingTraceHeadersTest {
  private static final String INCOMING_TRACE_ID = "2c9a4b7e8f1d40a6b3c5d7e9f1a2b3c4";
  private static final String INCOMING_SENTRY_TRACE = INCOMING_TRACE_ID + "-9f1d40a6b3c5d7e9-1";
  private static final List<String> INCOMING_BAGGAGE =
      Collections.singletonList(
          "sentry-trace_id="
              + INCOMING_TRACE_ID
              + ",sentry-public_key=public,sentry-release=checkout%401.2.3,"
              + "sentry-environment=production,sentry-transaction=shop.Checkout%2FPay,"
              + "sentry-sample_rate=0.25,sentry-sample_rand=0.123456,sentry-sampled=true,"
              + "vendor=kept");

  private static final List<String> THIRD_PARTY = Collections.singletonList("tenant=acme");
  private static final List<String> OTHER_THIRD_PARTY = Arrays.asList("tenant=acme", "region=eu");

  private SentryRecorder sentry;
  private final OutgoingTraceHeaders headers = new OutgoingTraceHeaders();
  private BaggageHeader lastBaggage;
  private int rememberedHits;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  @Test
  void aTraceStartedHereAcrossItsCallsAndThirdPartyMembers() {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      ITransaction transaction = bound(scopes, new TransactionContext("job", "task"));
      // Mutable on the first call: the SDK freezes it.
      assertSameAsSdk(scopes, null, child(transaction), transaction);
      // Then encoded once per third-party members and remembered while they stay the same.
      for (List<String> thirdParty :
          Arrays.asList(null, THIRD_PARTY, OTHER_THIRD_PARTY, null, THIRD_PARTY)) {
        for (int i = 0; i < 3; i++) {
          assertSameAsSdk(scopes, thirdParty, child(transaction), transaction);
        }
      }
      // An ignored origin: no child, the call is part of the parent itself.
      assertSameAsSdk(scopes, THIRD_PARTY, transaction, transaction);
      transaction.finish();
    }
    assertThat(rememberedHits).isEqualTo(11);
  }

  @Test
  void aContinuedTraceWithAHandlersOpenChildSpan() {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      TransactionContext continued = scopes.continueTrace(INCOMING_SENTRY_TRACE, INCOMING_BAGGAGE);
      ITransaction transaction = bound(scopes, continued);
      ISpan work = transaction.startChild("work");
      for (int i = 0; i < 3; i++) {
        // The parent is the handler's span; the call's own span is its child.
        assertSameAsSdk(scopes, THIRD_PARTY, work.startChild("grpc.client"), work);
      }
      work.finish();
      assertSameAsSdk(scopes, null, child(transaction), transaction);
      transaction.finish();
    }
    assertThat(rememberedHits).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aContinuedTraceWithoutASampleRandGetsTheSdksBackfilledOne() {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      String noRand = INCOMING_BAGGAGE.get(0).replace("sentry-sample_rand=0.123456,", "");
      TransactionContext continued =
          scopes.continueTrace(INCOMING_SENTRY_TRACE, Collections.singletonList(noRand));
      ITransaction transaction = bound(scopes, continued);
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, child(transaction), transaction);
      }
      transaction.finish();
    }
    assertThat(rememberedHits).isGreaterThanOrEqualTo(2);
  }

  @Test
  void tracingWithoutPerformanceNewTracesAndContinueTrace() {
    sentry = SentryRecorder.init(options -> {}); // no tracesSampleRate: no spans at all
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      // The scope's own trace: mutable until the first call freezes it.
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, null, null);
      }
      scopes.continueTrace(INCOMING_SENTRY_TRACE, INCOMING_BAGGAGE);
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, THIRD_PARTY, null, null);
      }
      TracingUtils.startNewTrace(scopes);
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, null, null);
      }
      scopes.continueTrace(INCOMING_SENTRY_TRACE.replace("-1", "-0"), null);
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, null, null);
      }
    }
    // Per trace: the first call freezes a baggage started here, the next encodes it once.
    assertThat(rememberedHits).isEqualTo(1 + 2 + 1 + 1);
  }

  @Test
  void anUnsampledParentAndTraceparent() {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(0.0);
              options.setPropagateTraceparent(true);
            });
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      ITransaction transaction = bound(scopes, new TransactionContext("job", "task"));
      for (int i = 0; i < 3; i++) {
        // sentry-grpc opens no child under an unsampled parent.
        assertSameAsSdk(scopes, null, transaction, transaction);
      }
      transaction.finish();
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, null, null);
      }
    }
    assertThat(rememberedHits).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aReplayIdSetOnTheScopeBeforeOrAfterTheFreeze() {
    sentry = SentryRecorder.init(options -> {});
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      scopes.configureScope(scope -> scope.setReplayId(new SentryId()));
      assertSameAsSdk(scopes, null, null, null);
      assertThat(lastBaggage.getValue()).contains("sentry-replay_id=");
      assertSameAsSdk(scopes, null, null, null);
      // Frozen: the SDK keeps the first replay id, and so must the remembered value.
      scopes.configureScope(scope -> scope.setReplayId(new SentryId()));
      assertSameAsSdk(scopes, null, null, null);
    }
    assertThat(rememberedHits).isEqualTo(1);
  }

  @Test
  void valuesTheSdkForcesOntoAFrozenBaggage() throws Exception {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      ITransaction transaction = bound(scopes, new TransactionContext("job", "task"));
      assertSameAsSdk(scopes, null, child(transaction), transaction);
      assertSameAsSdk(scopes, null, child(transaction), transaction);
      Baggage baggage = transaction.getSpanContext().getBaggage();
      assertThat(baggage.isMutable()).as("frozen by the first call").isFalse();

      // A sampling decision set on a span context forces its sample rate (all versions).
      baggage.forceSetSampleRate(0.5);
      assertSameAsSdk(scopes, null, child(transaction), transaction);
      assertThat(lastBaggage.getValue()).contains("sentry-sample_rate=0.5");

      // Session replay in buffer mode forces the replay id (SDK 8.5x and later).
      Method forceSetReplayId = replayIdForcer();
      if (forceSetReplayId != null) {
        SentryId replayId = new SentryId();
        forceSetReplayId.invoke(baggage, replayId);
        assertSameAsSdk(scopes, null, child(transaction), transaction);
        assertThat(lastBaggage.getValue()).contains("sentry-replay_id=" + replayId);
      }
      transaction.finish();
    }
  }

  @Test
  void manyTracesInterleavedShareTheTable() {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    List<IScopes> callers = new ArrayList<>();
    List<ITransaction> transactions = new ArrayList<>();
    int traces = OutgoingTraceHeaders.SLOTS * 3;
    for (int i = 0; i < traces; i++) {
      IScopes scopes = Sentry.forkedRootScopes("test");
      callers.add(scopes);
      transactions.add(bound(scopes, new TransactionContext("job-" + i, "task")));
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < traces; i++) {
        IScopes scopes = callers.get(i);
        try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
          ITransaction transaction = transactions.get(i);
          assertSameAsSdk(scopes, i % 2 == 0 ? THIRD_PARTY : null, child(transaction), transaction);
        }
      }
    }
    for (ITransaction transaction : transactions) {
      transaction.finish();
    }
  }

  @Test
  void aSpanOfSomeOtherTransactionIsLeftToTheSdk() {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      ITransaction bound = bound(scopes, new TransactionContext("bound", "task"));
      ITransaction other = scopes.startTransaction(new TransactionContext("other", "task"));
      ISpan otherSpan = other.startChild("work");
      for (int i = 0; i < 3; i++) {
        assertSameAsSdk(scopes, null, otherSpan.startChild("grpc.client"), otherSpan);
        assertSameAsSdk(scopes, null, child(bound), bound);
      }
      otherSpan.finish();
      other.finish();
      bound.finish();
    }
  }

  /** On the wire: each call of one trace carries the SDK's values. */
  @Test
  void callsOfOneTraceCarryTheSdksBaggage() throws Exception {
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    List<Metadata> received = new CopyOnWriteArrayList<>();
    ServerInterceptor recording =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata metadata, ServerCallHandler<ReqT, RespT> next) {
            received.add(metadata);
            return next.startCall(call, metadata);
          }
        };
    IScopes scopes = Sentry.forkedRootScopes("test");
    List<String> expected = new ArrayList<>();
    try (TestServer server =
            TestServer.builder()
                .serverInterceptors(recording)
                .clientInterceptors(new SentryClientInterceptor())
                .start();
        ISentryLifecycleToken ignored = scopes.makeCurrent()) {
      TransactionContext continued = scopes.continueTrace(INCOMING_SENTRY_TRACE, INCOMING_BAGGAGE);
      ITransaction transaction = bound(scopes, continued);
      for (int i = 0; i < 3; i++) {
        server.blocking().unary(request("ok"));
        expected.add(TracingUtils.trace(scopes, null, transaction).getBaggageHeader().getValue());
      }
      transaction.finish();
    }
    assertThat(received).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(received.get(i).getAll(TraceMetadata.BAGGAGE)).containsExactly(expected.get(i));
    }
    assertThat(expected.get(0)).contains("sentry-trace_id=" + INCOMING_TRACE_ID);
  }

  // ---------------------------------------------------------------- helpers

  private void assertSameAsSdk(
      IScopes scopes, List<String> thirdParty, ISpan span, ISpan parent) {
    TracingUtils.TracingHeaders ours = headers.trace(scopes, copy(thirdParty), span, parent);
    TracingUtils.TracingHeaders sdk = TracingUtils.trace(scopes, copy(thirdParty), span);
    assertThat(sdk).as("the SDK gives headers").isNotNull();
    assertThat(ours).as("headers").isNotNull();
    assertThat(ours.getSentryTraceHeader().getValue())
        .as("sentry-trace")
        .isEqualTo(sdk.getSentryTraceHeader().getValue());
    assertThat(value(ours.getBaggageHeader()))
        .as("baggage")
        .isEqualTo(value(sdk.getBaggageHeader()));
    assertThat(value(ours.getW3cTraceparentHeader()))
        .as("traceparent")
        .isEqualTo(value(sdk.getW3cTraceparentHeader()));
    if (ours.getBaggageHeader() != null && ours.getBaggageHeader() == lastBaggage) {
      rememberedHits++;
    }
    lastBaggage = ours.getBaggageHeader();
  }

  /** A fresh list per call, as the interceptor builds one per call. */
  private static List<String> copy(List<String> thirdParty) {
    return thirdParty == null ? null : new ArrayList<>(thirdParty);
  }

  private static String value(BaggageHeader header) {
    return header == null ? null : header.getValue();
  }

  private static String value(W3CTraceparentHeader header) {
    return header == null ? null : header.getValue();
  }

  private static ITransaction bound(IScopes scopes, TransactionContext context) {
    TransactionOptions options = new TransactionOptions();
    options.setBindToScope(true);
    return scopes.startTransaction(context, options);
  }

  private static ISpan child(ITransaction transaction) {
    SpanOptions options = new SpanOptions();
    options.setOrigin(TracedClientCall.ORIGIN);
    return transaction.startChild(TracedClientCall.OPERATION, "shop.Echo/Unary", options);
  }

  private static Method replayIdForcer() {
    try {
      return Baggage.class.getMethod("forceSetReplayId", SentryId.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}

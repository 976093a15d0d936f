package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An edge service facing the internet can refuse the trace a caller sends: otherwise any caller
 * can force sampling or join a trace it should not. Refused calls start a fresh trace; the SDK's
 * own {@code strictTraceContinuation}/{@code orgId} checks apply on top.
 */
class TrustBoundaryTest {
  static final String CALLER_TRACE = "5e1f2a3b4c5d4e6f8a9b0c1d2e3f4a5b";
  static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> INTERNAL = Metadata.Key.of("x-internal-caller", Metadata.ASCII_STRING_MARSHALLER);

  private SentryReceiver receiver;

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void continuesIncomingTracesByDefault() throws Exception {
    assertThat(traceOfCall(SentryGrpcOptions.defaults(), options -> {}, headers("1", null))).isEqualTo(CALLER_TRACE);
  }

  @Test
  void aServiceCanRefuseEveryIncomingTrace() throws Exception {
    SentryGrpcOptions edge = SentryGrpcOptions.builder().continueIncomingTraces(false).build();
    assertThat(traceOfCall(edge, options -> {}, headers("1", null))).isNotEqualTo(CALLER_TRACE);
  }

  @Test
  void aRefusedCallerCannotForceSampling() throws Exception {
    SentryGrpcOptions edge = SentryGrpcOptions.builder().continueIncomingTraces(false).build();
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, options -> options.setTracesSampleRate(0.0));
    try (Harness harness = Harness.start(null, edge, false)) {
      for (int i = 0; i < 20; i++) {
        Calls.call(harness, Calls.Kind.UNARY, "forced-" + i, headers("1", null), 0);
      }
    }
    Sentry.flush(2000);
    assertThat(receiver.transactions()).isEmpty();
  }

  @Test
  void aPredicateTrustsOnlySomeCallers() throws Exception {
    SentryGrpcOptions trustInternal =
        SentryGrpcOptions.builder()
            .continueIncomingTraces((call, headers) -> "true".equals(headers.get(INTERNAL)))
            .build();
    Metadata internal = headers("1", null);
    internal.put(INTERNAL, "true");
    assertThat(traceOfCall(trustInternal, options -> {}, internal)).isEqualTo(CALLER_TRACE);
    Sentry.close();
    receiver.close();
    assertThat(traceOfCall(trustInternal, options -> {}, headers("1", null))).isNotEqualTo(CALLER_TRACE);
  }

  @Test
  void strictTraceContinuationAndOrgIdAreRespected() throws Exception {
    Sentry.OptionsConfiguration<SentryOptions> strict =
        options -> {
          options.setStrictTraceContinuation(true);
          options.setOrgId("17");
        };
    assertThat(traceOfCall(SentryGrpcOptions.defaults(), strict, headers("1", "sentry-org_id=17")))
        .isEqualTo(CALLER_TRACE);
    stop();
    assertThat(traceOfCall(SentryGrpcOptions.defaults(), strict, headers("1", "sentry-org_id=99")))
        .isNotEqualTo(CALLER_TRACE);
    stop();
    assertThat(traceOfCall(SentryGrpcOptions.defaults(), strict, headers("1", null)))
        .isNotEqualTo(CALLER_TRACE);
  }

  private String traceOfCall(
      SentryGrpcOptions options, Sentry.OptionsConfiguration<SentryOptions> sentry, Metadata headers)
      throws Exception {
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, sentry);
    try (Harness harness = Harness.start(null, options, false)) {
      assertThat(Calls.call(harness, Calls.Kind.UNARY, "edge", headers, 0).getCode()).isEqualTo(Status.Code.OK);
    }
    SentryTransaction transaction = receiver.awaitTransactions(1, Duration.ofSeconds(10)).get(0);
    return transaction.getContexts().getTrace().getTraceId().toString();
  }

  private static Metadata headers(String sampled, String baggage) {
    Metadata headers = new Metadata();
    headers.put(Calls.SENTRY_TRACE, CALLER_TRACE + "-1a2b3c4d5e6f7a8b-" + sampled);
    if (baggage != null) {
      headers.put(BAGGAGE, baggage);
    }
    return headers;
  }
}

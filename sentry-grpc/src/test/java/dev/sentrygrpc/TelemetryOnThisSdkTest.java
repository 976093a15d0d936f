package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testing.ReceivedLog;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sentry.BuildConfig;
import io.sentry.Sentry;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Metrics and call logs on whatever SDK this suite runs on: the floor (8.22.0, which has logs but
 * no metrics API) in the normal build, every release up to the newest in the compatibility
 * matrix. With an SDK without the metrics API the option does nothing and calls work as before;
 * the local receiver (built against a newer SDK) still decodes what this one sends.
 */
class TelemetryOnThisSdkTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final boolean SDK_HAS_METRICS = !Requirements.isOlder(BuildConfig.VERSION_NAME, "8.30.0");

  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setEnableExternalConfiguration(false);
          options.setTracesSampleRate(1.0);
          options.getLogs().setEnabled(true);
          options.setShutdownTimeoutMillis(1_000);
        });
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void metricsAreSentOnlyWhenTheSdkHasTheMetricsApiAndCallsWorkEitherWay() throws Exception {
    assertThat(SentryMetricsApi.get() != null).as("metrics API found on " + BuildConfig.VERSION_NAME).isEqualTo(SDK_HAS_METRICS);
    SentryGrpcOptions options = SentryGrpcOptions.builder().metrics(true).build();
    try (TestServer server =
        TestServer.builder()
            .serverInterceptors(new SentryServerInterceptor(options))
            .clientInterceptors(new SentryClientInterceptor(options))
            .start()) {
      for (int i = 0; i < 10; i++) {
        assertThat(server.blocking().unary(request("ok")).getMessage()).isEqualTo("ok");
      }
    }
    receiver.awaitTransactions(10, WAIT);
    Sentry.close();
    if (SDK_HAS_METRICS) {
      assertThat(receiver.awaitMetrics(m -> m.named("grpc.server.calls").sum() == 10, WAIT).named("grpc.client.calls").sum())
          .isEqualTo(10);
    } else {
      assertThat(receiver.items("trace_metric")).isEmpty();
    }
  }

  @Test
  void failedCallsGiveLogsInTheirTraceOnThisSdk() throws Exception {
    SentryGrpcOptions options = SentryGrpcOptions.builder().failedCallLogs(true).build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      for (int i = 0; i < 2; i++) {
        try {
          server.blocking().unary(request("status:DATA_LOSS"));
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
        }
      }
      server.blocking().unary(request("ok"));
    }
    List<SentryTransaction> transactions = receiver.awaitTransactions(3, WAIT);
    Sentry.close();
    List<ReceivedLog> logs = receiver.awaitLogs(2, WAIT);
    assertThat(logs).hasSize(2);
    for (ReceivedLog log : logs) {
      assertThat(log.level()).isEqualTo("error");
      assertThat(log.attribute("rpc.response.status_code")).isEqualTo("DATA_LOSS");
      assertThat(log.attribute("sentry.origin")).isEqualTo("auto.grpc.grpc.server");
      SentryTransaction transaction =
          transactions.stream()
              .filter(t -> t.getContexts().getTrace().getTraceId().toString().equals(log.traceId()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no transaction in the trace of " + log));
      assertThat(log.spanId()).isEqualTo(transaction.getContexts().getTrace().getSpanId().toString());
    }
  }

  private static EchoRequest request(String message) {
    return EchoRequest.newBuilder().setMessage(message).build();
  }
}

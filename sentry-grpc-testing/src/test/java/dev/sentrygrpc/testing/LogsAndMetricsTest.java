package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sentry.ITransaction;
import io.sentry.ISentryLifecycleToken;
import io.sentry.Sentry;
import io.sentry.SentryAttribute;
import io.sentry.SentryAttributes;
import io.sentry.logger.SentryLogParameters;
import io.sentry.metrics.SentryMetricsParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sentry Logs and Metrics as the receiver reads them: what the SDK sends through its HTTP
 * transport, what an item written by hand (another SDK's) carries, and the weighted queries.
 */
class LogsAndMetricsTest {
  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void readsTheMetricPointsAndLogsTheSdkSendsInTheirTrace() {
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
          options.getLogs().setEnabled(true);
          options.setRelease("shop@1.0");
          options.setShutdownTimeoutMillis(1_000);
        });
    ITransaction transaction = Sentry.startTransaction("checkout", "task");
    try (ISentryLifecycleToken ignored = transaction.makeCurrent()) {
      Sentry.metrics().count("orders", 3.0, null, SentryMetricsParameters.create(attributes("shop", "eu")));
      Map<String, Object> weighted = new HashMap<>();
      weighted.put("sentry.client_sample_rate", 0.25);
      Sentry.metrics().distribution("latency", 0.120, "second", SentryMetricsParameters.create(weighted));
      Sentry.logger().log(
          io.sentry.SentryLogLevel.WARN,
          SentryLogParameters.create(SentryAttributes.of(SentryAttribute.integerAttribute("attempt", 2))),
          "payment %s retried",
          "p-1");
    }
    transaction.finish();
    Sentry.close();

    ReceivedMetrics metrics = receiver.awaitMetrics(m -> m.size() == 2, Duration.ofSeconds(10));
    ReceivedMetric orders = metrics.named("orders").points().get(0);
    assertThat(orders.type()).isEqualTo("counter");
    assertThat(orders.value()).isEqualTo(3.0);
    assertThat(orders.attribute("shop")).isEqualTo("eu");
    assertThat(orders.attribute("sentry.release")).isEqualTo("shop@1.0");
    assertThat(orders.traceId()).isEqualTo(transaction.getSpanContext().getTraceId().toString());
    assertThat(orders.spanId()).isEqualTo(transaction.getSpanContext().getSpanId().toString());
    ReceivedMetric latency = metrics.named("latency").points().get(0);
    assertThat(latency.unit()).isEqualTo("second");
    assertThat(latency.weight()).isEqualTo(4.0);
    assertThat(metrics.named("latency").count()).isEqualTo(4.0);
    assertThat(metrics.named("latency").sum()).isCloseTo(0.48, within(1e-9));
    assertThat(receiver.items("trace_metric").get(0).metricEvents().getItems()).hasSize(2);

    ReceivedLog log = receiver.awaitLogs(1, Duration.ofSeconds(10)).get(0);
    assertThat(log.level()).isEqualTo("warn");
    assertThat(log.body()).isEqualTo("payment p-1 retried");
    assertThat(log.attribute("attempt")).isEqualTo(2L);
    assertThat(log.attribute("sentry.message.template")).isEqualTo("payment %s retried");
    assertThat(log.traceId()).isEqualTo(transaction.getSpanContext().getTraceId().toString());
    assertThat(log.spanId()).isEqualTo(transaction.getSpanContext().getSpanId().toString());
    assertThat(receiver.items("log").get(0).logEvents().getItems()).hasSize(1);
    assertThat(receiver.items("log").get(0).toString()).isEqualTo("log x1");
  }

  @Test
  void readsItemsOtherSdksSendWithoutALength() throws Exception {
    String envelope =
        "{\"sent_at\":\"2026-01-01T00:00:00.000Z\"}\n"
            + "{\"type\":\"trace_metric\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.trace-metric+json\"}\n"
            + "{\"items\":[{\"timestamp\":1767225600.5,\"trace_id\":\"5b8efff798038103d269b633813fc60c\","
            + "\"name\":\"rpc.server.call.duration\",\"type\":\"distribution\",\"value\":0.25,\"unit\":\"second\","
            + "\"attributes\":{\"rpc.method\":{\"type\":\"string\",\"value\":\"a.B/C\"},"
            + "\"sentry.client_sample_rate\":{\"type\":\"double\",\"value\":0.1}}},"
            + "{\"timestamp\":1767225600.5,\"trace_id\":\"5b8efff798038103d269b633813fc60c\","
            + "\"name\":\"grpc.server.calls\",\"type\":\"counter\",\"value\":10,"
            + "\"attributes\":{\"rpc.grpc.status_code\":{\"type\":\"integer\",\"value\":0}}}]}\n"
            + "{\"type\":\"log\",\"item_count\":1,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n"
            + "{\"items\":[{\"timestamp\":1767225600.5,\"trace_id\":\"5b8efff798038103d269b633813fc60c\","
            + "\"level\":\"error\",\"body\":\"boom\",\"severity_number\":17,\"attributes\":{}}]}\n";
    Http.Answer answer = Http.to(receiver).post(envelope);
    assertThat(answer.status).as(answer.toString()).isEqualTo(200);

    ReceivedMetrics metrics = receiver.metrics();
    assertThat(metrics.size()).isEqualTo(2);
    assertThat(metrics.named("rpc.server.call.duration").count()).isCloseTo(10.0, within(1e-9));
    assertThat(metrics.named("grpc.server.calls").points().get(0).attribute("rpc.grpc.status_code")).isEqualTo(0L);
    assertThat(metrics.where("rpc.grpc.status_code", 0).size()).isEqualTo(1);
    assertThat(receiver.logs()).extracting(ReceivedLog::body).containsExactly("boom");
    assertThat(receiver.logs().get(0).severityNumber()).isEqualTo(17);
  }

  @Test
  void percentilesWeighEachPointByTheMeasurementsItStandsFor() {
    List<ReceivedMetric> points = new ArrayList<>();
    points.add(point(0.010, 1.0 / 90)); // 90 calls at 10 ms
    points.add(point(0.100, 1.0 / 9)); // 9 at 100 ms
    points.add(point(1.000, 1.0)); // 1 at 1 s
    ReceivedMetrics metrics = new ReceivedMetrics(points);
    assertThat(metrics.count()).isCloseTo(100, within(1e-9));
    assertThat(metrics.percentile(0.5)).isEqualTo(0.010);
    assertThat(metrics.percentile(0.9)).isEqualTo(0.010);
    assertThat(metrics.percentile(0.91)).isEqualTo(0.100);
    assertThat(metrics.percentile(0.99)).isEqualTo(0.100);
    assertThat(metrics.percentile(0.995)).isEqualTo(1.000);
    assertThat(metrics.sum()).isCloseTo(0.9 + 0.9 + 1.0, within(1e-9));
    assertThat(new ReceivedMetrics(new ArrayList<>()).percentile(0.5)).isNaN();
  }

  private static ReceivedMetric point(double value, double sampleRate) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", "d");
    json.put("type", "distribution");
    json.put("value", value);
    Map<String, Object> rate = new LinkedHashMap<>();
    rate.put("type", "double");
    rate.put("value", sampleRate);
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("sentry.client_sample_rate", rate);
    json.put("attributes", attributes);
    return ReceivedMetric.of(json);
  }

  private static Map<String, Object> attributes(String key, Object value) {
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(key, value);
    return attributes;
  }
}

package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.SentryEvent;
import io.sentry.protocol.SentryTransaction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Envelopes shaped like the ones the JavaScript SDK (@sentry/node 9/10) sends: auth in the query
 * string, items without {@code length} (newline-delimited), fields the Java SDK does not know,
 * item types it does not know, spans without {@code op}.
 */
class NodeStyleEnvelopeTest {

  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String ROOT_SPAN = "eee19b7ec3c1b174";
  private static final String CHILD_SPAN = "eee19b7ec3c1b175";
  private static final String OPLESS_SPAN = "eee19b7ec3c1b176";
  private static final String EVENT_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void decodesNewlineDelimitedItemsSentWithTheKeyInTheQueryString() throws Exception {
    Http.Answer answer = nodeRequest().post(transactionEnvelope());

    assertThat(answer.status).as(answer.toString()).isEqualTo(200);
    assertThat(answer.body).isEqualTo("{\"id\":\"" + EVENT_ID + "\"}");
    ReceivedEnvelope envelope = receiver.envelopes().get(0);
    assertThat(envelope.items())
        .extracting(ReceivedItem::type)
        .containsExactly("transaction", "sessions", "span", "client_report");
    assertThat(envelope.header().getSdkVersion().getName()).isEqualTo("sentry.javascript.node");
    assertThat(envelope.header().getTraceContext().getSampleRand()).isEqualTo("0.42");
  }

  @Test
  void keepsTransactionsWithUnknownFieldsAndSaysWhichSpansItCouldNotRead() throws Exception {
    nodeRequest().post(transactionEnvelope());

    SentryTransaction transaction = receiver.transactions().get(0);
    assertThat(transaction.getTransaction()).isEqualTo("GET /hello");
    assertThat(transaction.getContexts().getTrace().getOperation()).isEqualTo("http.server");
    assertThat(transaction.getUnknown()).containsKey("sdkProcessingMetadata");
    // The Java SDK requires "op" on a span; it skips the one without and decodes the rest.
    assertThat(transaction.getSpans()).extracting(s -> s.getSpanId().toString())
        .containsExactly(CHILD_SPAN);
    ReceivedItem item = receiver.items("transaction").get(0);
    assertThat(item.decodeProblems()).anySatisfy(p -> assertThat(p).contains("op"));
    // The raw payload still has every span.
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> spans = (List<Map<String, Object>>) item.json().get("spans");
    assertThat(spans)
        .extracting(span -> span.get("span_id"))
        .containsExactly(OPLESS_SPAN, CHILD_SPAN);

    TraceTree trace = receiver.trace(TRACE_ID);
    assertThat(trace.parentOf(trace.byOp("db"))).contains(trace.byOp("http.server"));
  }

  @Test
  void keepsItemTypesTheJavaSdkDoesNotKnowAsRawItems() throws Exception {
    nodeRequest().post(transactionEnvelope());

    ReceivedItem sessions = receiver.items("sessions").get(0);
    assertThat(sessions.json()).containsKey("aggregates");
    assertThat(sessions.event()).isNull();
    assertThat(sessions.decodeProblems()).isEmpty();
    ReceivedItem span = receiver.items("span").get(0);
    assertThat(span.json()).containsEntry("description", "streamed span");
    assertThat(receiver.clientReports()).hasSize(1);
    assertThat(receiver.clientReports().get(0).getDiscardedEvents().get(0).getReason())
        .isEqualTo("sample_rate");
  }

  @Test
  void decodesAGzippedErrorEventAndAnAttachmentWithALength() throws Exception {
    String attachment = "line one\nline two\n";
    String envelope =
        lines(
            "{\"event_id\":\"" + EVENT_ID + "\",\"sent_at\":\"2025-01-01T00:00:00.000Z\","
                + "\"sdk\":{\"name\":\"sentry.javascript.node\",\"version\":\"10.5.0\"}}",
            "{\"type\":\"event\"}",
            "{\"event_id\":\"" + EVENT_ID + "\",\"platform\":\"node\",\"level\":\"error\","
                + "\"timestamp\":1700000000.3,"
                + "\"exception\":{\"values\":[{\"type\":\"Error\",\"value\":\"boom\","
                + "\"mechanism\":{\"type\":\"generic\",\"handled\":true}}]},"
                + "\"contexts\":{\"trace\":{\"trace_id\":\"" + TRACE_ID + "\",\"span_id\":\""
                + ROOT_SPAN + "\"}},\"breadcrumbs\":[],\"someNodeOnlyField\":{\"a\":1}}",
            "{\"type\":\"attachment\",\"length\":"
                + attachment.getBytes(StandardCharsets.UTF_8).length
                + ",\"filename\":\"notes.txt\",\"content_type\":\"text/plain\"}")
            + "\n"
            + attachment;

    Http.Answer answer = nodeRequest().postGzipped(envelope);

    assertThat(answer.status).as(answer.toString()).isEqualTo(200);
    SentryEvent event = receiver.events().get(0);
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("boom");
    assertThat(receiver.trace(TRACE_ID).errors()).containsExactly(event);
    ReceivedItem file = receiver.items("attachment").get(0);
    assertThat(file.payloadAsString()).isEqualTo(attachment);
    assertThat(file.header().getFileName()).isEqualTo("notes.txt");
  }

  @Test
  void keepsAnEventItemTheSdkCannotDecodeAsRaw() throws Exception {
    String envelope = lines("{}", "{\"type\":\"event\"}", "[\"not\",\"an\",\"event\"]");

    Http.Answer answer = nodeRequest().post(envelope);

    assertThat(answer.status).isEqualTo(200);
    assertThat(receiver.events()).isEmpty();
    ReceivedItem item = receiver.items("event").get(0);
    assertThat(item.payloadAsString()).isEqualTo("[\"not\",\"an\",\"event\"]");
    assertThat(item.decodeProblems()).isNotEmpty();
    assertThat(item.toString()).startsWith("event (not decoded: ");
  }

  private Http nodeRequest() {
    return Http.to(receiver)
        .withoutHeader("X-Sentry-Auth")
        .path(
            "/api/" + receiver.projectId() + "/envelope/?sentry_version=7&sentry_key="
                + receiver.publicKey() + "&sentry_client=sentry.javascript.node%2F9.40.0");
  }

  private String transactionEnvelope() {
    return lines(
        "{\"event_id\":\"" + EVENT_ID + "\",\"sent_at\":\"2025-01-01T00:00:00.000Z\","
            + "\"sdk\":{\"name\":\"sentry.javascript.node\",\"version\":\"9.40.0\"},"
            + "\"trace\":{\"environment\":\"production\",\"release\":\"1.0\",\"public_key\":\""
            + receiver.publicKey() + "\",\"trace_id\":\"" + TRACE_ID + "\",\"sample_rate\":\"1\","
            + "\"transaction\":\"GET /hello\",\"sampled\":\"true\",\"sample_rand\":\"0.42\"}}",
        "{\"type\":\"transaction\"}",
        "{\"contexts\":{\"trace\":{\"span_id\":\"" + ROOT_SPAN + "\",\"trace_id\":\"" + TRACE_ID
            + "\",\"data\":{\"sentry.op\":\"http.server\",\"sentry.source\":\"route\"},"
            + "\"op\":\"http.server\",\"status\":\"ok\",\"origin\":\"auto.http.otel.http\"},"
            + "\"runtime\":{\"name\":\"node\",\"version\":\"v22.1.0\"}},"
            + "\"spans\":["
            + "{\"span_id\":\"" + OPLESS_SPAN + "\",\"trace_id\":\"" + TRACE_ID
            + "\",\"parent_span_id\":\"" + ROOT_SPAN + "\",\"data\":{\"sentry.origin\":\"manual\"},"
            + "\"description\":\"compute\",\"start_timestamp\":1700000000.1,"
            + "\"timestamp\":1700000000.2,\"status\":\"ok\",\"origin\":\"manual\"},"
            + "{\"span_id\":\"" + CHILD_SPAN + "\",\"trace_id\":\"" + TRACE_ID
            + "\",\"parent_span_id\":\"" + ROOT_SPAN + "\",\"op\":\"db\","
            + "\"description\":\"SELECT 1\",\"start_timestamp\":1700000000.2,"
            + "\"timestamp\":1700000000.3,\"status\":\"ok\",\"links\":[{\"trace_id\":\""
            + TRACE_ID + "\",\"span_id\":\"" + ROOT_SPAN + "\"}]}],"
            + "\"start_timestamp\":1700000000.0,\"timestamp\":1700000000.5,"
            + "\"transaction\":\"GET /hello\",\"type\":\"transaction\","
            + "\"sdkProcessingMetadata\":{},\"transaction_info\":{\"source\":\"route\"},"
            + "\"platform\":\"node\",\"event_id\":\"" + EVENT_ID + "\","
            + "\"environment\":\"production\"}",
        "{\"type\":\"sessions\"}",
        "{\"aggregates\":[{\"started\":\"2025-01-01T00:00:00.000Z\",\"exited\":1}],"
            + "\"attrs\":{\"release\":\"1.0\",\"environment\":\"production\"}}",
        "{\"type\":\"span\"}",
        "{\"span_id\":\"eee19b7ec3c1b177\",\"trace_id\":\"" + TRACE_ID + "\","
            + "\"description\":\"streamed span\",\"start_timestamp\":1700000000.4}",
        "{\"type\":\"client_report\"}",
        "{\"timestamp\":1700000000.6,\"discarded_events\":"
            + "[{\"reason\":\"sample_rate\",\"category\":\"transaction\",\"quantity\":3}]}");
  }

  private static String lines(String... lines) {
    return String.join("\n", lines);
  }
}

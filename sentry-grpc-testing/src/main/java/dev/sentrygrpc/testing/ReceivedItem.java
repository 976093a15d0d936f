package dev.sentrygrpc.testing;

import io.sentry.ISerializer;
import io.sentry.SentryEnvelopeItemHeader;
import io.sentry.SentryEvent;
import io.sentry.SentryLogEvents;
import io.sentry.SentryMetricsEvents;
import io.sentry.clientreport.ClientReport;
import io.sentry.protocol.SentryTransaction;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One item of a received envelope: its type as sent, its header, its payload bytes and, for
 * events, transactions and client reports, the object the SDK's own deserializer made of it.
 */
public final class ReceivedItem {

  private final String type;
  private final SentryEnvelopeItemHeader header;
  private final byte[] payload;
  private final Object decoded;
  private final List<String> decodeProblems;
  private final ISerializer serializer;
  private List<ReceivedMetric> metrics;
  private List<ReceivedLog> logs;

  ReceivedItem(
      String type,
      SentryEnvelopeItemHeader header,
      byte[] payload,
      Object decoded,
      List<String> decodeProblems,
      ISerializer serializer) {
    this.type = type;
    this.header = header;
    this.payload = payload;
    this.decoded = decoded;
    this.decodeProblems = Collections.unmodifiableList(decodeProblems);
    this.serializer = serializer;
  }

  /**
   * The item type as the sender wrote it: {@code event}, {@code transaction}, {@code
   * client_report}, {@code log}, {@code span}, {@code session}, {@code sessions}, {@code
   * attachment}, {@code check_in}...
   */
  public String type() {
    return type;
  }

  /** The item header as the SDK reads it (content type, file name, item count...). */
  public SentryEnvelopeItemHeader header() {
    return header;
  }

  /** A copy of the payload bytes. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload as UTF-8 text. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * The payload parsed as a JSON object (maps, lists, strings, numbers, booleans), for any item
   * type, including fields the SDK's classes do not know; {@code null} if it is not a JSON object.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> json() {
    try (InputStreamReader reader =
        new InputStreamReader(new ByteArrayInputStream(payload), StandardCharsets.UTF_8)) {
      Object value = serializer.deserialize(reader, (Class<Object>) (Class<?>) Map.class);
      return value instanceof Map ? (Map<String, Object>) value : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** The error event this item carries, or {@code null} if it is not a decodable event item. */
  public SentryEvent event() {
    return decoded instanceof SentryEvent ? (SentryEvent) decoded : null;
  }

  /** The transaction (spans included), or {@code null} if not a decodable transaction item. */
  public SentryTransaction transaction() {
    return decoded instanceof SentryTransaction ? (SentryTransaction) decoded : null;
  }

  /** The client report, or {@code null} if not a decodable client report item. */
  public ClientReport clientReport() {
    return decoded instanceof ClientReport ? (ClientReport) decoded : null;
  }

  /**
   * The metric points of a {@code trace_metric} item (empty for other items), read from its JSON
   * so that they read the same on every SDK version.
   */
  public synchronized List<ReceivedMetric> metrics() {
    if (metrics == null) {
      List<ReceivedMetric> points = new ArrayList<>();
      if ("trace_metric".equals(type)) {
        for (Map<?, ?> json : jsonItems()) {
          points.add(ReceivedMetric.of(json));
        }
      }
      metrics = Collections.unmodifiableList(points);
    }
    return metrics;
  }

  /** The logs of a {@code log} item (empty for other items), read from its JSON. */
  public synchronized List<ReceivedLog> logs() {
    if (logs == null) {
      List<ReceivedLog> read = new ArrayList<>();
      if ("log".equals(type)) {
        for (Map<?, ?> json : jsonItems()) {
          read.add(ReceivedLog.of(json));
        }
      }
      logs = Collections.unmodifiableList(read);
    }
    return logs;
  }

  /**
   * The SDK's own {@code SentryMetricsEvents} of a {@code trace_metric} item, or {@code null}. Only
   * call it with io.sentry:sentry 8.30.0 or newer on the class path (older SDKs have no such
   * class); {@link #metrics()} works with any.
   */
  public SentryMetricsEvents metricEvents() {
    return "trace_metric".equals(type) && decoded != null ? (SentryMetricsEvents) decoded : null;
  }

  /** The SDK's own {@code SentryLogEvents} of a {@code log} item, or {@code null}. */
  public SentryLogEvents logEvents() {
    return decoded instanceof SentryLogEvents ? (SentryLogEvents) decoded : null;
  }

  /** The objects of the payload's {@code items} array (logs and metrics come batched so). */
  private List<Map<?, ?>> jsonItems() {
    List<Map<?, ?>> items = new ArrayList<>();
    Map<String, Object> json = json();
    Object array = json == null ? null : json.get("items");
    if (array instanceof List) {
      for (Object item : (List<?>) array) {
        if (item instanceof Map) {
          items.add((Map<?, ?>) item);
        }
      }
    }
    return items;
  }

  /**
   * What the SDK's deserializer reported while decoding this item: empty when all went well. An
   * event or transaction that could not be decoded at all is still here, as raw payload; one that
   * decoded with parts skipped (for example a span without {@code op}, which the Java SDK
   * requires) says so here.
   */
  public List<String> decodeProblems() {
    return decodeProblems;
  }

  @Override
  public String toString() {
    return Summaries.item(this);
  }
}

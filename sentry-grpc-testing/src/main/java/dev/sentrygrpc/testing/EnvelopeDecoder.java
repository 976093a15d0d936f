package dev.sentrygrpc.testing;

import io.sentry.EnvelopeReader;
import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryEnvelopeItemHeader;
import io.sentry.SentryEvent;
import io.sentry.SentryItemType;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.clientreport.ClientReport;
import io.sentry.protocol.SentryTransaction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns envelope bytes into a {@link ReceivedEnvelope} with the SDK's own {@link EnvelopeReader}
 * and {@link JsonSerializer}, so what the tests see is exactly what the SDK can make of it.
 */
final class EnvelopeDecoder {

  /** Since io.sentry:sentry 8.12.0. */
  private static final Class<?> LOG_EVENTS = sdkClass("io.sentry.SentryLogEvents");
  /** Since 8.30.0: a receiver running on an older SDK keeps these items as JSON only. */
  private static final Class<?> METRICS_EVENTS = sdkClass("io.sentry.SentryMetricsEvents");

  private final DecodeProblems problems = new DecodeProblems();
  private final JsonSerializer serializer;
  private final EnvelopeReader reader;

  EnvelopeDecoder() {
    SentryOptions options = new SentryOptions();
    // The deserializers report failures only through the options' logger, which logs only in
    // debug mode: route it to DecodeProblems, which keeps what it hears for the decode at hand.
    options.setDebug(true);
    options.setDiagnosticLevel(SentryLevel.WARNING);
    options.setLogger(problems);
    serializer = new JsonSerializer(options);
    reader = new EnvelopeReader(serializer);
  }

  ReceivedEnvelope decode(byte[] raw) throws BadRequestException {
    ItemFraming.Framed framed = ItemFraming.frame(raw, serializer);
    SentryEnvelope envelope = read(framed.bytes);
    List<ReceivedItem> items = new ArrayList<>();
    int index = 0;
    for (SentryEnvelopeItem item : envelope.getItems()) {
      String typeAsSent = index < framed.itemTypes.size() ? framed.itemTypes.get(index) : null;
      items.add(decodeItem(item, typeAsSent));
      index++;
    }
    return new ReceivedEnvelope(envelope.getHeader(), items, raw);
  }

  private SentryEnvelope read(byte[] bytes) throws BadRequestException {
    problems.begin();
    try {
      SentryEnvelope envelope = reader.read(new ByteArrayInputStream(bytes));
      if (envelope == null) {
        throw new BadRequestException(400, "unparseable envelope" + because(problems.end()));
      }
      problems.end();
      return envelope;
    } catch (IOException | RuntimeException e) {
      throw new BadRequestException(
          400, "unparseable envelope: " + e.getMessage() + because(problems.end()));
    }
  }

  private ReceivedItem decodeItem(SentryEnvelopeItem item, String typeAsSent) {
    SentryEnvelopeItemHeader header = item.getHeader();
    String type = typeAsSent != null ? typeAsSent : header.getType().getItemType();
    byte[] payload = dataOf(item);
    Class<?> decodedClass = decodedClassOf(type, header.getType());
    problems.begin();
    Object decoded = null;
    if (decodedClass != null) {
      try (Reader json =
          new InputStreamReader(new ByteArrayInputStream(payload), StandardCharsets.UTF_8)) {
        decoded = serializer.deserialize(json, decodedClass);
      } catch (IOException | RuntimeException e) {
        decoded = null;
      }
    }
    List<String> itemProblems = new ArrayList<>(problems.end());
    if (decodedClass != null && decoded == null && itemProblems.isEmpty()) {
      itemProblems.add("the SDK could not deserialize this " + type + " item");
    }
    return new ReceivedItem(type, header, payload, decoded, itemProblems, serializer);
  }

  /**
   * The SDK types worth decoding; everything else is kept as raw payload. Logs and metrics go by
   * the type as sent: an SDK that does not know the type reads it as {@code __unknown__}.
   */
  private static Class<?> decodedClassOf(String typeAsSent, SentryItemType type) {
    if ("log".equals(typeAsSent)) {
      return LOG_EVENTS;
    }
    if ("trace_metric".equals(typeAsSent)) {
      return METRICS_EVENTS;
    }
    switch (type) {
      case Event:
        return SentryEvent.class;
      case Transaction:
        return SentryTransaction.class;
      case ClientReport:
        return ClientReport.class;
      default:
        return null;
    }
  }

  private static Class<?> sdkClass(String name) {
    try {
      return Class.forName(name, false, SentryOptions.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static byte[] dataOf(SentryEnvelopeItem item) {
    try {
      return item.getData();
    } catch (Exception e) {
      // Items made by EnvelopeReader carry their bytes already; nothing to compute, nothing fails.
      throw new IllegalStateException("an envelope item read by the SDK had no data", e);
    }
  }

  private static String because(List<String> problems) {
    return problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")";
  }
}

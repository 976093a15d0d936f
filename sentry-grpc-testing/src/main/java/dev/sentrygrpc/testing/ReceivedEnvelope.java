package dev.sentrygrpc.testing;

import io.sentry.SentryEnvelopeHeader;
import io.sentry.SentryEvent;
import io.sentry.protocol.SentryTransaction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One envelope as the receiver got it: the envelope header (event id, {@code sdk}, the {@code
 * trace} dynamic sampling context, {@code sent_at}), its items, and its raw bytes after gzip
 * decompression.
 */
public final class ReceivedEnvelope {

  private final SentryEnvelopeHeader header;
  private final List<ReceivedItem> items;
  private final byte[] raw;

  ReceivedEnvelope(SentryEnvelopeHeader header, List<ReceivedItem> items, byte[] raw) {
    this.header = header;
    this.items = Collections.unmodifiableList(new ArrayList<>(items));
    this.raw = raw;
  }

  /**
   * The envelope header; {@code header().getTraceContext()} is the dynamic sampling context the
   * SDK propagated (trace id, public key, sample rate, transaction name...).
   */
  public SentryEnvelopeHeader header() {
    return header;
  }

  /** All items, in the order they were sent. */
  public List<ReceivedItem> items() {
    return items;
  }

  /** The items of one type as sent, e.g. {@code "client_report"}. */
  public List<ReceivedItem> items(String type) {
    List<ReceivedItem> ofType = new ArrayList<>();
    for (ReceivedItem item : items) {
      if (type.equals(item.type())) {
        ofType.add(item);
      }
    }
    return ofType;
  }

  /** The decoded error events of this envelope. */
  public List<SentryEvent> events() {
    List<SentryEvent> events = new ArrayList<>();
    for (ReceivedItem item : items) {
      if (item.event() != null) {
        events.add(item.event());
      }
    }
    return events;
  }

  /** The decoded transactions of this envelope. */
  public List<SentryTransaction> transactions() {
    List<SentryTransaction> transactions = new ArrayList<>();
    for (ReceivedItem item : items) {
      if (item.transaction() != null) {
        transactions.add(item.transaction());
      }
    }
    return transactions;
  }

  /** A copy of the envelope's bytes as sent, after gzip decompression. */
  public byte[] raw() {
    return raw.clone();
  }

  /** The envelope's bytes as UTF-8 text: handy to check that no secret ever left the process. */
  public String rawAsString() {
    return new String(raw, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return Summaries.envelope(this);
  }
}

package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.fail;

import io.sentry.Hint;
import io.sentry.ISerializer;
import io.sentry.JsonSerializer;
import io.sentry.Sentry;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryEvent;
import io.sentry.SentryItemType;
import io.sentry.SentryOptions;
import io.sentry.TraceContext;
import io.sentry.protocol.SentryTransaction;
import io.sentry.transport.ITransport;
import io.sentry.transport.RateLimiter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Initialises the real SDK with an in-memory transport and keeps every envelope it would send:
 * the fast unit-test stand-in for a Sentry server. (The end-to-end tests use the HTTP receiver.)
 */
final class SentryRecorder implements AutoCloseable {
  static final String DSN = "https://public@sentry.invalid/1";

  private final List<SentryEnvelope> envelopes = new ArrayList<>();
  private final ISerializer serializer = new JsonSerializer(new SentryOptions());

  static SentryRecorder init() {
    return init(options -> options.setTracesSampleRate(1.0));
  }

  static SentryRecorder init(Sentry.OptionsConfiguration<SentryOptions> configuration) {
    SentryRecorder recorder = new SentryRecorder();
    Sentry.init(
        options -> {
          options.setDsn(DSN);
          options.setTransportFactory((o, details) -> recorder.new Transport());
          options.setEnableExternalConfiguration(false);
          configuration.configure(options);
        });
    return recorder;
  }

  @Override
  public void close() {
    Sentry.close();
  }

  synchronized List<SentryEvent> events() {
    List<SentryEvent> events = new ArrayList<>();
    for (SentryEnvelope envelope : envelopes) {
      for (SentryEnvelopeItem item : envelope.getItems()) {
        if (item.getHeader().getType() == SentryItemType.Event) {
          try {
            events.add(item.getEvent(serializer));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return events;
  }

  synchronized List<SentryTransaction> transactions() {
    List<SentryTransaction> transactions = new ArrayList<>();
    for (SentryEnvelope envelope : envelopes) {
      for (SentryEnvelopeItem item : envelope.getItems()) {
        if (item.getHeader().getType() == SentryItemType.Transaction) {
          try {
            transactions.add(item.getTransaction(serializer));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return transactions;
  }

  /** The dynamic sampling context sent in the header of the envelope carrying a transaction. */
  synchronized TraceContext traceHeaderOf(SentryTransaction transaction) {
    for (SentryEnvelope envelope : envelopes) {
      if (transaction.getEventId().equals(envelope.getHeader().getEventId())) {
        return envelope.getHeader().getTraceContext();
      }
    }
    return null;
  }

  /** Everything that would go over the wire, as text: for searching for secrets. */
  synchronized String rawText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (SentryEnvelope envelope : envelopes) {
      try {
        serializer.serialize(envelope, out);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  /** The JSON the SDK would send for one event or transaction. */
  String json(Object value) {
    java.io.StringWriter out = new java.io.StringWriter();
    try {
      serializer.serialize(value, out);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }

  List<SentryTransaction> awaitTransactions(int count) {
    return await(this::transactions, count, "transactions");
  }

  List<SentryEvent> awaitEvents(int count) {
    return await(this::events, count, "events");
  }

  SentryTransaction awaitTransaction(Predicate<SentryTransaction> matching) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      for (SentryTransaction transaction : transactions()) {
        if (matching.test(transaction)) {
          return transaction;
        }
      }
      sleep();
    }
    return fail("no matching transaction among " + names(transactions()));
  }

  /** Waits a little for stragglers, so "exactly N" assertions see late duplicates too. */
  void settle() {
    Sentry.flush(200);
    sleepMillis(100);
  }

  private <T> List<T> await(java.util.function.Supplier<List<T>> items, int count, String what) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<T> seen = items.get();
    while (seen.size() < count && System.nanoTime() < end) {
      sleep();
      seen = items.get();
    }
    if (seen.size() < count) {
      fail("expected " + count + " " + what + " but got " + seen.size() + ": " + seen);
    }
    return seen;
  }

  static List<String> names(List<SentryTransaction> transactions) {
    List<String> names = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      names.add(transaction.getTransaction());
    }
    return names;
  }

  private static void sleep() {
    sleepMillis(10);
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Transport implements ITransport {
    @Override
    public void send(SentryEnvelope envelope, Hint hint) {
      synchronized (SentryRecorder.this) {
        envelopes.add(envelope);
      }
    }

    @Override
    public void flush(long timeoutMillis) {}

    @Override
    public RateLimiter getRateLimiter() {
      return null;
    }

    @Override
    public void close(boolean isRestarting) {}

    @Override
    public void close() {}
  }
}

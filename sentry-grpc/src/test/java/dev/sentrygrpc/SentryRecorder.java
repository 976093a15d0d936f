package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.fail;

import dev.sentrygrpc.testing.ReceivedEnvelope;
import dev.sentrygrpc.testing.SentryReceiver;
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
 * Initialises the real SDK and keeps every envelope it sends. By default through an in-memory
 * transport (fast); with {@code -Dsentrygrpc.recorder=http} (the build's second test run) through
 * the SDK's real HTTP transport to a local {@link SentryReceiver}, so every test here also runs
 * end to end over HTTP.
 */
final class SentryRecorder implements AutoCloseable {
  static final String DSN = "https://public@sentry.invalid/1";
  static final boolean OVER_HTTP = "http".equals(System.getProperty("sentrygrpc.recorder"));

  private final List<SentryEnvelope> envelopes = new ArrayList<>();
  private final ISerializer serializer = new JsonSerializer(new SentryOptions());
  private SentryReceiver receiver;

  static SentryRecorder init() {
    return init(options -> options.setTracesSampleRate(1.0));
  }

  static SentryRecorder init(Sentry.OptionsConfiguration<SentryOptions> configuration) {
    SentryRecorder recorder = new SentryRecorder();
    if (OVER_HTTP) {
      recorder.receiver = SentryReceiver.start();
    }
    Sentry.init(
        options -> {
          options.setEnableExternalConfiguration(false);
          if (recorder.receiver != null) {
            options.setDsn(recorder.receiver.dsn());
            options.setMaxQueueSize(5_000);
          } else {
            options.setDsn(DSN);
            options.setTransportFactory((o, details) -> recorder.new Transport());
          }
          configuration.configure(options);
        });
    return recorder;
  }

  @Override
  public void close() {
    Sentry.close();
    if (receiver != null) {
      receiver.close();
    }
  }

  synchronized List<SentryEvent> events() {
    if (receiver != null) {
      return receiver.events();
    }
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
    if (receiver != null) {
      return receiver.transactions();
    }
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
    if (receiver != null) {
      for (ReceivedEnvelope envelope : receiver.envelopes()) {
        if (transaction.getEventId().equals(envelope.header().getEventId())) {
          return envelope.header().getTraceContext();
        }
      }
      return null;
    }
    for (SentryEnvelope envelope : envelopes) {
      if (transaction.getEventId().equals(envelope.getHeader().getEventId())) {
        return envelope.getHeader().getTraceContext();
      }
    }
    return null;
  }

  /** Everything that would go over the wire, as text: for searching for secrets. */
  synchronized String rawText() {
    if (receiver != null) {
      Sentry.flush(5_000);
      StringBuilder text = new StringBuilder();
      for (ReceivedEnvelope envelope : receiver.envelopes()) {
        text.append(envelope.rawAsString()).append('\n');
      }
      return text.toString();
    }
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
    Sentry.flush(OVER_HTTP ? 5_000 : 200);
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

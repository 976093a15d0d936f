package dev.sentrygrpc.benchmarks;

import io.sentry.Hint;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryItemType;
import io.sentry.SentryOptions;
import io.sentry.transport.ITransport;
import io.sentry.transport.RateLimiter;
import java.util.concurrent.atomic.LongAdder;

/**
 * A transport that drops every envelope, counting them: what {@code errors-only}, {@code
 * unsampled}, {@code sampled} and {@code sentry-floor} send through ({@code
 * options.setTransportFactory((o, r) -> new DiscardingTransport(o))}). Counting envelopes costs one
 * LongAdder increment; the sanity check also counts the items by type.
 */
final class DiscardingTransport implements ITransport {
  static final LongAdder ENVELOPES = new LongAdder();
  static final LongAdder TRANSACTIONS = new LongAdder();
  static volatile boolean countItems;

  private final RateLimiter rateLimiter;

  DiscardingTransport(SentryOptions options) {
    this.rateLimiter = new RateLimiter(options);
  }

  @Override
  public void send(SentryEnvelope envelope, Hint hint) {
    ENVELOPES.increment();
    if (countItems) {
      for (SentryEnvelopeItem item : envelope.getItems()) {
        if (item.getHeader().getType() == SentryItemType.Transaction) {
          TRANSACTIONS.increment();
        }
      }
    }
  }

  @Override
  public void flush(long timeoutMillis) {}

  @Override
  public RateLimiter getRateLimiter() {
    return rateLimiter;
  }

  @Override
  public void close(boolean isRestarting) {}

  @Override
  public void close() {}

  static void reset() {
    ENVELOPES.reset();
    TRANSACTIONS.reset();
  }
}

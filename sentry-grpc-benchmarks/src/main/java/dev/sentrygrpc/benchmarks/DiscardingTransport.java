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
  /** Metric points (in trace_metric items), counted for the sanity check and the volume harness. */
  static final LongAdder METRIC_POINTS = new LongAdder();
  static final LongAdder METRIC_ENVELOPES = new LongAdder();
  /** The uncompressed JSON of the trace_metric items (their serialization, done here). */
  static final LongAdder METRIC_BYTES = new LongAdder();
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
        } else if (item.getHeader().getType() == SentryItemType.TraceMetric) {
          METRIC_ENVELOPES.increment();
          Integer count = item.getHeader().getItemCount();
          METRIC_POINTS.add(count == null ? 0 : count);
          try {
            METRIC_BYTES.add(item.getData().length);
          } catch (Exception e) {
            throw new IllegalStateException("could not serialize a trace_metric item", e);
          }
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
    METRIC_POINTS.reset();
    METRIC_ENVELOPES.reset();
    METRIC_BYTES.reset();
  }
}

package dev.sentrygrpc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most {@code perSecond} logs a second on average, and {@code 2 × perSecond} in a burst (a
 * token bucket, kept as the time the bucket will be full again, so a check is one read and, when it
 * passes, one compare-and-set). What it refuses is counted, and the next log that passes says how
 * many were left out.
 *
 * <p>Why a cap: the SDK queues at most 1,000 logs and sends them every 5 s; a service whose every
 * call fails (a database down) would otherwise fill the queue within the first second and push out
 * the application's own logs.
 */
final class LogRateLimit {
  private final long nanosPerLog;
  private final long burstNanos;
  /** When the bucket is full again; a log may pass while that is at most burstNanos away. */
  private final AtomicLong fullAt;

  private final AtomicLong suppressed = new AtomicLong();

  LogRateLimit(int perSecond, long nowNanos) {
    this.nanosPerLog = TimeUnit.SECONDS.toNanos(1) / perSecond;
    this.burstNanos = nanosPerLog * 2L * perSecond;
    this.fullAt = new AtomicLong(nowNanos);
  }

  /**
   * Whether one more log may go now. Returns -1 when it may not; else how many were refused since
   * the last one that passed.
   */
  long tryAcquire(long nowNanos) {
    for (; ; ) {
      long full = fullAt.get();
      long from = full - nowNanos > 0 ? full : nowNanos;
      long next = from + nanosPerLog;
      if (next - nowNanos > burstNanos) {
        suppressed.incrementAndGet();
        return -1;
      }
      if (fullAt.compareAndSet(full, next)) {
        return suppressed.get() == 0 ? 0 : suppressed.getAndSet(0);
      }
    }
  }
}

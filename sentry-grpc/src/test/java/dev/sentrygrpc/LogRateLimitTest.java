package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cap on call logs, on a clock the test moves by hand. */
class LogRateLimitTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aBurstOfTwiceTheRateThenTheRate() {
    long now = 1_000 * SECOND;
    LogRateLimit limit = new LogRateLimit(10, now);
    int passed = 0;
    for (int i = 0; i < 1_000; i++) {
      if (limit.tryAcquire(now) >= 0) {
        passed++;
      }
    }
    assertThat(passed).isEqualTo(20);
    // Over the next 10 seconds, 10 a second.
    passed = 0;
    for (int step = 1; step <= 1_000; step++) {
      if (limit.tryAcquire(now + step * SECOND / 100) >= 0) {
        passed++;
      }
    }
    assertThat(passed).isEqualTo(100);
  }

  @Test
  void theNextLogThatPassesSaysHowManyWereLeftOut() {
    long now = 5 * SECOND;
    LogRateLimit limit = new LogRateLimit(1, now);
    assertThat(limit.tryAcquire(now)).isZero();
    assertThat(limit.tryAcquire(now)).isZero();
    assertThat(limit.tryAcquire(now)).isEqualTo(-1);
    assertThat(limit.tryAcquire(now)).isEqualTo(-1);
    assertThat(limit.tryAcquire(now + SECOND)).isEqualTo(2);
    assertThat(limit.tryAcquire(now + 2 * SECOND)).isZero();
  }

  @Test
  void aQuietSpellRefillsTheBurstButNoMore() {
    long now = -7 * SECOND; // System.nanoTime() may be negative
    LogRateLimit limit = new LogRateLimit(5, now);
    while (limit.tryAcquire(now) >= 0) {
      // empty the bucket
    }
    long later = now + 3_600 * SECOND;
    int passed = 0;
    while (limit.tryAcquire(later) >= 0) {
      passed++;
    }
    assertThat(passed).isEqualTo(10);
  }
}

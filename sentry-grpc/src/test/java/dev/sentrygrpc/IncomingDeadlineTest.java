package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The caller's deadline on servers that do not put it into the Context (Armeria): read from the
 * {@code grpc-timeout} header. The end-to-end case is the Armeria module's deadline test.
 */
class IncomingDeadlineTest {

  @Test
  void everyUnitOfTheProtocolIsRead() {
    assertThat(IncomingDeadline.nanos("250n")).isEqualTo(250);
    assertThat(IncomingDeadline.nanos("7u")).isEqualTo(7_000);
    assertThat(IncomingDeadline.nanos("299m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(299));
    assertThat(IncomingDeadline.nanos("10S")).isEqualTo(TimeUnit.SECONDS.toNanos(10));
    assertThat(IncomingDeadline.nanos("2M")).isEqualTo(TimeUnit.MINUTES.toNanos(2));
    assertThat(IncomingDeadline.nanos("99999999H")).isEqualTo(TimeUnit.HOURS.toNanos(99_999_999));
  }

  @Test
  void malformedValuesGiveNoDeadline() {
    for (String bad : new String[] {"", "m", "5", "5x", "-5m", "5 m", "123456789m", "1.5S", "５m"}) {
      assertThat(IncomingDeadline.nanos(bad)).as(bad).isEqualTo(-1);
      assertThat(IncomingDeadline.of(Context.ROOT, timeout(bad))).as(bad).isNull();
    }
  }

  @Test
  void theHeaderGivesTheDeadlineWhenTheContextHasNone() {
    Deadline deadline = IncomingDeadline.of(Context.ROOT, timeout("10M"));

    assertThat(deadline).isNotNull();
    // Minutes, so that no pause of a loaded machine can reach the bound.
    assertThat(deadline.timeRemaining(TimeUnit.MINUTES)).isBetween(5L, 10L);
    assertThat(IncomingDeadline.of(Context.ROOT, new Metadata())).isNull();
  }

  @Test
  void theContextsDeadlineWins() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      Deadline own = Deadline.after(5, TimeUnit.SECONDS);
      Context.CancellableContext context = Context.ROOT.withDeadline(own, timer);
      try {
        assertThat(IncomingDeadline.of(context, timeout("300m"))).isSameAs(own);
      } finally {
        context.cancel(null);
      }
    } finally {
      timer.shutdownNow();
    }
  }

  private static Metadata timeout(String value) {
    Metadata headers = new Metadata();
    headers.put(IncomingDeadline.GRPC_TIMEOUT, value);
    return headers;
  }
}

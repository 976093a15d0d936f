package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deadline the server side reads for a call: grpc-java's own, else the caller's {@code
 * grpc-timeout}, for servers that bridge grpc-java services without setting the Context's (the
 * Vert.x gRPC server of Quarkus; its tests show the transaction status end to end).
 */
class IncomingDeadlineTest {

  @Test
  void theContextsDeadlineWins() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    Context.CancellableContext context =
        Context.current().withDeadlineAfter(5, TimeUnit.MINUTES, scheduler);
    try {
      Deadline deadline = context.call(() -> IncomingDeadline.of(timeout("1S")));
      assertThat(deadline).isEqualTo(context.getDeadline());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      context.cancel(null);
      scheduler.shutdownNow();
    }
  }

  @Test
  void withoutOneTheCallersTimeoutCounts() {
    Deadline deadline = IncomingDeadline.of(timeout("1500m"));

    assertThat(deadline).isNotNull();
    assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1_000L, 1_500L);
  }

  @Test
  void noTimeoutIsNoDeadline() {
    assertThat(IncomingDeadline.of(new Metadata())).isNull();
  }

  @Test
  void everyUnitOfTheProtocol() {
    assertThat(remainingNanos("2H")).isGreaterThan(TimeUnit.MINUTES.toNanos(119));
    assertThat(remainingNanos("2M")).isGreaterThan(TimeUnit.SECONDS.toNanos(119));
    assertThat(remainingNanos("2S")).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1_900));
    assertThat(remainingNanos("99999999m")).isGreaterThan(TimeUnit.HOURS.toNanos(27));
    assertThat(remainingNanos("5000000u")).isGreaterThan(TimeUnit.SECONDS.toNanos(4));
    assertThat(remainingNanos("99999999n")).isBetween(1L, TimeUnit.MILLISECONDS.toNanos(100));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "S", "10", "10s", "-1S", "1.5S", "123456789S", "1 S", "１S"})
  void aMalformedTimeoutIsNoDeadline(String value) {
    assertThat(IncomingDeadline.fromTimeout(value)).isNull();
  }

  private static long remainingNanos(String value) {
    return IncomingDeadline.fromTimeout(value).timeRemaining(TimeUnit.NANOSECONDS);
  }

  private static Metadata timeout(String value) {
    Metadata headers = new Metadata();
    headers.put(IncomingDeadline.GRPC_TIMEOUT, value);
    return headers;
  }
}

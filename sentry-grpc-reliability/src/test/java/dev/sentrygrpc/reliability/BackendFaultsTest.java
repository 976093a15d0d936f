package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testing.Faults;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Status;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.TransactionOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sentry down, slow or rate-limiting: the receiver's fault modes against the SDK's real HTTP
 * transport. Every RPC still ends as it would without Sentry, no exception reaches application
 * code, and once the backend is healthy again events flow again.
 */
class BackendFaultsTest {
  enum Fault {
    SERVER_ERROR(Faults::serverError),
    RETRY_AFTER(faults -> faults.retryAfter(Duration.ofSeconds(1))),
    RATE_LIMITS(faults -> faults.rateLimits("1:transaction;error:key")),
    STALL_BEYOND_TIMEOUTS(faults -> faults.stall(Duration.ofSeconds(2))),
    REFUSED_CONNECTIONS(Faults::refuseConnections),
    DROPPED_CONNECTIONS(Faults::dropConnections);

    final Consumer<Faults> apply;

    Fault(Consumer<Faults> apply) {
      this.apply = apply;
    }
  }

  private SentryReceiver receiver;
  private ExecutorService pool;
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previousHandler;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    Harness.initSentry(
        receiver,
        options -> {
          // Short timeouts so a stalled backend shows within the test; the SDK's defaults are 5 s.
          options.setConnectionTimeoutMillis(300);
          options.setReadTimeoutMillis(300);
          options.setFlushTimeoutMillis(1000);
          options.setEnableUncaughtExceptionHandler(false);
        });
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
    pool = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void stop() {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    pool.shutdownNow();
    Sentry.close();
    receiver.close();
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void callsWorkWhileSentryMisbehavesAndEventsFlowAgainAfterwards(Fault fault) throws Exception {
    fault.apply.accept(receiver.faults());
    try (Harness harness = Harness.start(pool, SentryGrpcOptions.defaults(), true)) {
      runMixedCalls(harness, "faulty");
      Sentry.flush(1000);

      receiver.faults().healthy();
      // Rate limits the backend asked for are honoured for their full second; wait them out.
      Thread.sleep(1100);
      runMixedCalls(harness, "healthy");
    }
    Sentry.flush(5000);
    assertThat(receiver.awaitEvent(e -> "healthy-throw".equals(e.getTag("call")), Duration.ofSeconds(10)))
        .isNotNull();
    assertThat(uncaught).isEmpty();
    assertThat(receiver.refusedRequests() + receiver.receivedRequests()).isPositive();
  }

  /** Each call kind, a failing call, all inside a client-side transaction. */
  private static void runMixedCalls(Harness harness, String prefix) {
    TransactionOptions bound = new TransactionOptions();
    bound.setBindToScope(true);
    ITransaction transaction = Sentry.startTransaction(prefix + "-batch", "task", bound);
    try {
      for (Calls.Kind kind : Calls.Kind.values()) {
        Status status = Calls.call(harness, kind, prefix + "-" + kind, null, 0);
        assertThat(status.getCode()).as("%s %s", prefix, kind).isEqualTo(Status.Code.OK);
      }
      Status failed = Calls.call(harness, Calls.Kind.UNARY, prefix + "-throw throw", null, 0);
      assertThat(failed.getCode()).isEqualTo(Status.Code.UNKNOWN);
    } finally {
      transaction.finish();
    }
  }
}

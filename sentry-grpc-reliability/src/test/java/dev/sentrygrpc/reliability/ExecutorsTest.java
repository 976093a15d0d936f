package dev.sentrygrpc.reliability;

import dev.sentrygrpc.testservice.Pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentryTransaction;
import io.sentry.SpanId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Concurrency and isolation on every kind of server executor: many client threads, all four call
 * kinds, traces sampled at 1.0, each call marking its own scopes. Every transaction must carry its
 * own client's trace and only its own tag, breadcrumb and user; every transaction sent must
 * arrive (or be accounted for in the SDK's client reports); and each callback must leave the
 * thread's current scopes as it found them.
 */
class ExecutorsTest {
  static final int CLIENT_THREADS = 8;
  static final int CALLS = Integer.getInteger("reliability.calls", 800);

  enum ServerExecutor {
    DIRECT,
    FIXED_POOL,
    SINGLE_THREAD,
    VIRTUAL_THREADS
  }

  private SentryReceiver receiver;
  private final ConcurrentLinkedQueue<String> scopeLeaks = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void startReceiver() {
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, options -> {});
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @ParameterizedTest
  @EnumSource(ServerExecutor.class)
  void everyCallKeepsItsOwnTraceAndScopes(ServerExecutor kind) throws Exception {
    runAndAssert(kind, CALLS);
  }

  /** The long version: {@code mvn -B verify -pl sentry-grpc-reliability -am -Psoak}. */
  @Tag("soak")
  @ParameterizedTest
  @EnumSource(ServerExecutor.class)
  void soak(ServerExecutor kind) throws Exception {
    runAndAssert(kind, Integer.getInteger("soak.calls", 20_000));
  }

  private void runAndAssert(ServerExecutor kind, int calls) throws Exception {
    ExecutorService executor = executor(kind);
    Map<String, String> traceOfCall = new HashMap<>();
    List<Callable<Status>> tasks = new ArrayList<>();
    Calls.Kind[] kinds = Calls.Kind.values();
    for (int i = 0; i < calls; i++) {
      String id = "call-" + i;
      String traceId = new SentryId().toString();
      traceOfCall.put(id, traceId);
      Metadata headers = new Metadata();
      headers.put(Calls.SENTRY_TRACE, traceId + "-" + new SpanId() + "-1");
      Calls.Kind callKind = kinds[i % kinds.length];
      tasks.add(() -> Calls.call(harness, callKind, id, headers, 0));
    }
    ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
    try (Harness started = Harness.start(checking(executor), SentryGrpcOptions.defaults(), false)) {
      harness = started;
      for (Future<Status> status : clients.invokeAll(tasks)) {
        assertThat(status.get().getCode()).isEqualTo(Status.Code.OK);
      }
    } finally {
      clients.shutdownNow();
      if (executor != null) {
        Pools.drain(executor);
      }
    }
    Sentry.flush(30_000);

    List<SentryTransaction> transactions = receivedOrAccountedFor(calls);
    for (SentryTransaction transaction : transactions) {
      String id = transaction.getTag("call");
      assertThat(id).as("tag of %s", transaction.getTransaction()).isNotNull();
      assertThat(transaction.getContexts().getTrace().getTraceId().toString())
          .as("trace of %s", id)
          .isEqualTo(traceOfCall.get(id));
      assertThat(transaction.getBreadcrumbs()).extracting(b -> b.getMessage()).containsExactly("crumb-" + id);
      assertThat(transaction.getUser().getId()).isEqualTo(id);
      assertThat(transaction.getTags()).containsOnlyKeys("call");
    }
    assertThat(scopeLeaks).as("callbacks that left other scopes current").isEmpty();
  }

  private Harness harness;

  /**
   * What arrived, checked against what the SDK says it dropped: every call's transaction either
   * reached the receiver or is counted in a client report.
   */
  private List<SentryTransaction> receivedOrAccountedFor(int calls) {
    List<SentryTransaction> transactions;
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    do {
      transactions = receiver.transactions();
      if (transactions.size() + droppedTransactions() >= calls) {
        break;
      }
      sleep(50);
    } while (System.nanoTime() < end);
    assertThat(transactions.size() + droppedTransactions())
        .as("transactions received %s + dropped %s", transactions.size(), droppedTransactions())
        .isEqualTo(calls);
    // With the queue sized for the burst nothing should need dropping at all.
    assertThat(droppedTransactions()).isZero();
    assertThat(receiver.events()).isEmpty();
    return transactions;
  }

  private long droppedTransactions() {
    long dropped = 0;
    for (ClientReport report : receiver.clientReports()) {
      for (DiscardedEvent discarded : report.getDiscardedEvents()) {
        if (discarded.getCategory().equals("transaction")) {
          dropped += discarded.getQuantity();
        }
      }
    }
    return dropped;
  }

  /** Runs each task and notes any whose run changed the thread's current scopes. */
  private Executor checking(ExecutorService executor) {
    if (executor == null) {
      return null;
    }
    return task ->
        executor.execute(
            () -> {
              IScopes before = Sentry.getCurrentScopes();
              try {
                task.run();
              } finally {
                IScopes after = Sentry.getCurrentScopes();
                if (after != before) {
                  scopeLeaks.add(Thread.currentThread().getName() + ": " + after);
                }
              }
            });
  }

  private static ExecutorService executor(ServerExecutor kind) throws Exception {
    switch (kind) {
      case DIRECT:
        return null;
      case FIXED_POOL:
        return Executors.newFixedThreadPool(4);
      case SINGLE_THREAD:
        return Executors.newSingleThreadExecutor();
      case VIRTUAL_THREADS:
        assumeTrue(
            Runtime.version().feature() >= 21,
            "virtual threads need JDK 21+; this JVM is " + Runtime.version()
                + " (CI also runs this class on Temurin 25 when it is installed)");
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
      default:
        throw new AssertionError(kind);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void eventsFromConcurrentFailingCallsEachCarryTheirOwnCall() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
    int calls = 100;
    try (Harness started = Harness.start(pool, SentryGrpcOptions.defaults(), false)) {
      List<Callable<Status>> tasks = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        String message = "fail-" + i + " throw";
        tasks.add(() -> Calls.call(started, Calls.Kind.UNARY, message, null, 0));
      }
      for (Future<Status> status : clients.invokeAll(tasks)) {
        assertThat(status.get().getCode()).isEqualTo(Status.Code.UNKNOWN);
      }
    } finally {
      clients.shutdownNow();
      pool.shutdownNow();
    }
    List<SentryEvent> events = receiver.awaitEvents(calls, Duration.ofSeconds(30));
    for (SentryEvent event : events) {
      String id = event.getTag("call");
      assertThat(event.getExceptions().get(0).getValue()).isEqualTo("failure in " + id);
      assertThat(event.getUser().getId()).isEqualTo(id);
      assertThat(event.getBreadcrumbs()).extracting(b -> b.getMessage()).containsExactly("crumb-" + id);
    }
  }
}

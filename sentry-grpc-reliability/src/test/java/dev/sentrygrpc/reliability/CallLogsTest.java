package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.reliability.TelemetryRig.Kind;
import dev.sentrygrpc.reliability.TelemetryRig.Transport;
import dev.sentrygrpc.testing.ReceivedLog;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Status;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Call logs end to end (CONFORMANCE case 36): one Sentry log per failed call, in the call's trace;
 * access logs; nothing unless Sentry's logs are on; a burst of failures stays under the cap.
 */
class CallLogsTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  private SentryReceiver receiver;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void eachFailedCallGivesOneLogInItsTraceOnBothSides() throws Exception {
    init(options -> options.getLogs().setEnabled(true));
    SentryGrpcOptions options = SentryGrpcOptions.builder().failedCallLogs(true).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.NETTY, options)) {
      assertThat(rig.call(Kind.UNARY, Status.Code.INTERNAL, 0)).isEqualTo(Status.Code.INTERNAL);
      assertThat(rig.call(Kind.UNARY, Status.Code.UNAVAILABLE, 0)).isEqualTo(Status.Code.UNAVAILABLE);
      // Not logged: an expected answer, and a success.
      assertThat(rig.call(Kind.UNARY, Status.Code.NOT_FOUND, 0)).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(rig.call(Kind.UNARY, Status.Code.OK, 0)).isEqualTo(Status.Code.OK);
    }
    List<SentryTransaction> transactions = receiver.awaitTransactions(4, WAIT);
    Sentry.close();
    // INTERNAL on the server (a default logged code there); INTERNAL and UNAVAILABLE on the client.
    List<ReceivedLog> logs = receiver.awaitLogs(3, WAIT);
    assertThat(logs).hasSize(3);

    ReceivedLog server = only(logs, "auto.grpc.grpc.server");
    assertThat(server.level()).isEqualTo("error");
    assertThat(server.body()).startsWith(Kind.UNARY.method + " failed with INTERNAL after ").endsWith(" ms: planned INTERNAL");
    assertThat(server.attributes())
        .containsEntry("rpc.system.name", "grpc")
        .containsEntry("rpc.method", Kind.UNARY.method)
        .containsEntry("rpc.response.status_code", "INTERNAL")
        .containsEntry("grpc.method_type", "UNARY")
        .containsEntry("grpc.status_description", "planned INTERNAL")
        .containsKey("grpc.duration_ms")
        // sendDefaultPii is off: no peer address.
        .doesNotContainKey("client.address");
    SentryTransaction failed =
        transactions.stream()
            .filter(t -> "internal_error".equals(t.getContexts().getTrace().getStatus().apiName()))
            .findFirst()
            .orElseThrow(AssertionError::new);
    // In the call's trace, on the call's transaction.
    assertThat(server.traceId()).isEqualTo(failed.getContexts().getTrace().getTraceId().toString());
    assertThat(server.spanId()).isEqualTo(failed.getContexts().getTrace().getSpanId().toString());

    List<ReceivedLog> client = new ArrayList<>(logs);
    client.remove(server);
    assertThat(client).extracting(ReceivedLog::level).containsOnly("warn");
    assertThat(client).extracting(log -> log.attribute("rpc.response.status_code")).containsExactlyInAnyOrder("INTERNAL", "UNAVAILABLE");
    assertThat((String) client.get(0).attribute("grpc.authority")).matches("(localhost|127\\.0\\.0\\.1):[0-9]+");
    // The client's log is in the trace the call carried to the server.
    assertThat(client).extracting(ReceivedLog::traceId).contains(server.traceId());
  }

  @Test
  void withSendDefaultPiiTheServerLogNamesThePeer() throws Exception {
    init(
        options -> {
          options.getLogs().setEnabled(true);
          options.setSendDefaultPii(true);
        });
    SentryGrpcOptions options = SentryGrpcOptions.builder().failedCallLogs(true).loggedClientStatusCodes().build();
    try (TelemetryRig rig = new TelemetryRig(Transport.NETTY, options)) {
      rig.call(Kind.UNARY, Status.Code.DATA_LOSS, 0);
    }
    Sentry.close();
    ReceivedLog log = receiver.awaitLogs(1, WAIT).get(0);
    assertThat(log.attributes()).containsEntry("client.address", "127.0.0.1").containsKey("client.port");
  }

  @Test
  void noLogsUnlessSentryLogsAreOn() throws Exception {
    init(options -> {}); // logs off: the SDK's default
    SentryGrpcOptions options = SentryGrpcOptions.builder().failedCallLogs(true).accessLogs(true).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      for (int i = 0; i < 10; i++) {
        rig.call(Kind.UNARY, Status.Code.INTERNAL, 0);
      }
    }
    receiver.awaitTransactions(10, WAIT);
    Sentry.close();
    assertThat(receiver.logs()).isEmpty();
  }

  @Test
  void accessLogsGiveOneInfoLogPerCallAndAFailureLogInsteadForFailures() throws Exception {
    init(options -> options.getLogs().setEnabled(true));
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().accessLogs(true).failedCallLogs(true).build();
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      for (int i = 0; i < 20; i++) {
        rig.call(Kind.UNARY, Status.Code.OK, 0);
      }
      rig.call(Kind.BIDI, Status.Code.OK, 0);
      rig.call(Kind.UNARY, Status.Code.UNKNOWN, 0);
    }
    Sentry.close();
    List<ReceivedLog> logs = receiver.awaitLogs(44, WAIT);
    assertThat(logs).hasSize(44); // 22 calls, each seen by the server and by the client
    assertThat(logs).filteredOn(log -> "info".equals(log.level())).hasSize(42);
    assertThat(logs).filteredOn(log -> "info".equals(log.level()))
        .allSatisfy(log -> assertThat(log.body()).matches(".+/(Unary|Bidi) OK in [0-9.]+ ms"));
    assertThat(logs).filteredOn(log -> "UNKNOWN".equals(log.attribute("rpc.response.status_code")))
        .extracting(ReceivedLog::level)
        .containsExactlyInAnyOrder("error", "warn");
  }

  @Test
  void aBurstOfFailuresStaysUnderTheCapAndSaysHowManyWereLeftOut() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    init(
        options -> {
          options.getLogs().setEnabled(true);
          // What the SDK took from the interceptor, so the test knows when all of it arrived.
          options.getLogs().setBeforeSend(log -> {
            accepted.incrementAndGet();
            return log;
          });
        });
    int perSecond = 20;
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .failedCallLogs(true)
            .loggedClientStatusCodes() // the server's logs only
            .maxLogsPerSecond(perSecond)
            .build();
    int calls = 3_000;
    long started;
    long elapsedNanos;
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try (TelemetryRig rig = new TelemetryRig(Transport.IN_PROCESS, options)) {
      started = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        done.add(callers.submit(() -> rig.call(Kind.UNARY, Status.Code.INTERNAL, 0)));
      }
      for (Future<?> call : done) {
        call.get(60, TimeUnit.SECONDS);
      }
      elapsedNanos = System.nanoTime() - started;
    } finally {
      callers.shutdownNow();
    }
    Sentry.close();
    List<ReceivedLog> logs = receiver.awaitLogs(accepted.get(), WAIT);
    assertThat(logs).hasSize(accepted.get());
    double seconds = elapsedNanos / 1e9;
    System.out.println(calls + " failures in " + seconds + " s gave " + logs.size() + " logs");
    // The cap: a burst of twice the rate, then the rate.
    assertThat((double) logs.size()).isLessThanOrEqualTo(2 * perSecond + perSecond * seconds + 1);
    long leftOut = 0;
    for (ReceivedLog log : logs) {
      Object suppressed = log.attribute("grpc.logs.suppressed");
      leftOut += suppressed == null ? 0 : ((Number) suppressed).longValue();
    }
    // Each log that passed says how many were left out before it; the ones after the last are
    // never told.
    assertThat(leftOut).isGreaterThan(0).isLessThanOrEqualTo(calls - logs.size());
    // And the SDK dropped none of them: no log lost to a full queue.
    for (ClientReport report : receiver.clientReports()) {
      for (DiscardedEvent discarded : report.getDiscardedEvents()) {
        assertThat(discarded.getCategory()).doesNotStartWith("log");
      }
    }
  }

  private void init(Consumer<SentryOptions> extra) {
    Harness.initSentry(
        receiver,
        options -> {
          options.setShutdownTimeoutMillis(1_000);
          extra.accept(options);
        });
  }

  private static ReceivedLog only(List<ReceivedLog> logs, String origin) {
    List<ReceivedLog> matching = new ArrayList<>();
    for (ReceivedLog log : logs) {
      if (origin.equals(log.attribute("sentry.origin"))) {
        matching.add(log);
      }
    }
    assertThat(matching).as("logs of origin " + origin).hasSize(1);
    return matching.get(0);
  }
}

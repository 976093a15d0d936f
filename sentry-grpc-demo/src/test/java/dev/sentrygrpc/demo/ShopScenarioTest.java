package dev.sentrygrpc.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testing.TraceNode;
import dev.sentrygrpc.testing.TraceTree;
import io.grpc.Status;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.protocol.Mechanism;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's scripted run, in this JVM, against the embedded receiver, through the SDK's real
 * HTTP transport and real Netty servers: the assertions are on what Sentry received, which is what
 * the demo claims to show.
 */
@Timeout(60)
class ShopScenarioTest {

  private static SentryReceiver receiver;
  private static ScenarioResult scenario;
  private static Delivery.Received received;

  @BeforeAll
  static void runTheScript() {
    receiver = SentryReceiver.start();
    try (ShopServices services = ShopServices.start()) {
      services.warmUp();
      SentrySetup.init(receiver.dsn(), 1.0, false);
      scenario = DemoMain.runScenario(services, DemoOptions.DEFAULT_ORDERS, Progress.NONE);
    }
    received = Delivery.await(receiver, scenario, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    Sentry.close();
    if (receiver != null) {
      receiver.close();
    }
  }

  private static StepResult step(String label) {
    return scenario.steps().stream()
        .filter(step -> step.label().equals(label))
        .findFirst()
        .orElseThrow();
  }

  private static TraceTree trace(String label) {
    return receiver.trace(step(label).traceId());
  }

  private static Predicate<TraceNode> named(String op, String description) {
    return node -> op.equals(node.op()) && description.equals(node.description());
  }

  @Test
  void everythingTheScriptCausedArrived() {
    assertThat(received.missing()).isNull();
    assertThat(scenario.steps()).hasSize(Storefront.steps(DemoOptions.DEFAULT_ORDERS));
    assertThat(scenario.steps()).allMatch(StepResult::sampled);
    assertThat(scenario.steps()).extracting(StepResult::code)
        .containsExactly(
            Status.Code.OK,
            Status.Code.NOT_FOUND,
            Status.Code.INTERNAL,
            Status.Code.UNAVAILABLE,
            Status.Code.FAILED_PRECONDITION,
            Status.Code.OK,
            Status.Code.OK,
            Status.Code.OK,
            Status.Code.OK);
  }

  @Test
  void theFailedPaymentTraceCrossesThreeServicesAndCarriesTheCapturedException() {
    TraceTree trace = trace("checkout order-3");

    assertThat(trace.transactions())
        .extracting(SentryTransaction::getTransaction)
        .anyMatch(name -> name.equals("checkout"))
        .anyMatch(name -> name.startsWith("shop.OrderService/"))
        .anyMatch(name -> name.startsWith("shop.InventoryService/"))
        .anyMatch(name -> name.startsWith("shop.PaymentService/"));
    // One connected tree: the storefront's transaction is the only root.
    assertThat(trace.roots()).hasSize(1);
    assertThat(trace.roots().get(0).description()).isEqualTo("checkout");

    List<SentryEvent> events = trace.errors();
    assertThat(events).hasSize(1);
    SentryEvent event = events.get(0);
    assertThat(event.getContexts().getTrace().getTraceId().toString()).isEqualTo(step("checkout order-3").traceId());
    SentryException exception = event.getExceptions().get(event.getExceptions().size() - 1);
    assertThat(exception.getType()).isEqualTo("IllegalStateException");
    Mechanism mechanism = exception.getMechanism();
    assertThat(mechanism.getType()).isEqualTo("grpc");
    assertThat(mechanism.isHandled()).isFalse();
    assertThat(event.getEnvironment()).isEqualTo("demo");

    // Tied to the payment service's part of the trace, where it was thrown.
    TraceNode payment = trace.node(named("grpc.server", "shop.PaymentService/Charge"), "payment transaction");
    assertThat(payment.status()).isEqualTo(SpanStatus.UNKNOWN);
    TraceNode errorSpan = trace.node(node -> node.spanId().equals(event.getContexts().getTrace().getSpanId()), "the error's span");
    assertThat(errorSpan.transaction()).isSameAs(payment.transaction());
  }

  @Test
  void theSlowPaymentHopEndsInDeadlineExceeded() {
    TraceTree trace = trace("checkout order-4");

    TraceNode server = trace.node(named("grpc.server", "shop.PaymentService/Charge"), "payment transaction");
    TraceNode client = trace.node(named("grpc.client", "shop.PaymentService/Charge"), "payment call");
    assertThat(server.status()).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
    assertThat(client.status()).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
    assertThat(trace.parentOf(server)).hasValue(client);
    assertThat(trace.errors()).isEmpty();
    assertThat(receiver.transactions())
        .filteredOn(tx -> tx.getContexts().getTrace().getStatus() == SpanStatus.DEADLINE_EXCEEDED)
        .extracting(SentryTransaction::getTransaction)
        .containsExactly("shop.PaymentService/Charge");
  }

  @Test
  void theUnknownSkuHopIsNotFoundWithoutAnErrorEvent() {
    TraceTree trace = trace("checkout order-2");

    TraceNode client = trace.node(named("grpc.client", "shop.InventoryService/Reserve"), "reserve call");
    TraceNode server = trace.node(named("grpc.server", "shop.InventoryService/Reserve"), "reserve transaction");
    assertThat(client.status()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(server.status()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(server.data()).containsEntry("rpc.response.status_code", "NOT_FOUND");
    assertThat(trace.errors()).isEmpty();
    // No payment was attempted for an order that could not be reserved.
    assertThat(trace.nodes(node -> node.description() != null && node.description().startsWith("shop.PaymentService/"))).isEmpty();
  }

  @Test
  void theDeclinedCardCarriesItsReasonOnEveryHopAndGroupsByIt() {
    TraceTree trace = trace("checkout order-5");

    TraceNode server = trace.node(named("grpc.server", "shop.PaymentService/Charge"), "payment transaction");
    TraceNode client = trace.node(named("grpc.client", "shop.PaymentService/Charge"), "payment call");
    for (TraceNode hop : List.of(server, client)) {
      assertThat(hop.status()).isEqualTo(SpanStatus.FAILED_PRECONDITION);
      assertThat(hop.data())
          .containsEntry("grpc.error.reason", "CARD_DECLINED")
          .containsEntry("grpc.error.domain", "payments.shop.example");
    }
    // OrderService passed the details on, so the storefront's call shows the reason too.
    TraceNode front = trace.node(named("grpc.client", "shop.OrderService/PlaceOrder"), "storefront call");
    assertThat(front.data()).containsEntry("grpc.error.reason", "CARD_DECLINED");

    // One event: OrderService's payment channel captures declines. No server event: a decline
    // is an expected answer.
    assertThat(trace.errors()).hasSize(1);
    SentryEvent event = trace.errors().get(0);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc.client");
    assertThat(event.getFingerprints())
        .containsExactly(
            "grpc.client", "shop.PaymentService/Charge", "FAILED_PRECONDITION", "payments.shop.example", "CARD_DECLINED");
    Map<?, ?> context = (Map<?, ?>) event.getContexts().get("grpc.client");
    Map<?, ?> details = (Map<?, ?>) context.get("error_details");
    assertThat(details.get("reason")).isEqualTo("CARD_DECLINED");
    // sendDefaultPii is off in the demo: the decline code stays out.
    assertThat(details.get("metadata")).isEqualTo("[Filtered]");
    assertThat(receiver.events()).extracting(e -> e.getExceptions().get(0).getValue())
        .noneMatch(value -> value.contains("insufficient_funds"));
  }

  @Test
  void eachStreamingCallIsExactlyOneTransaction() {
    assertStreamingCall("watch stock", "shop.OrderService/WatchStock", "SERVER_STREAMING", 1, 3);
    assertStreamingCall("import orders", "shop.OrderService/ImportOrders", "CLIENT_STREAMING", 3, 1);
    assertStreamingCall("track orders", "shop.OrderService/TrackOrders", "BIDI_STREAMING", 4, 4);
  }

  private static void assertStreamingCall(
      String label, String method, String kind, int received, int sent) {
    List<SentryTransaction> transactions =
        receiver.transactions().stream().filter(tx -> method.equals(tx.getTransaction())).toList();
    assertThat(transactions).as(method).hasSize(1);
    SentryTransaction transaction = transactions.get(0);
    assertThat(transaction.getContexts().getTrace().getTraceId().toString()).isEqualTo(step(label).traceId());
    assertThat(transaction.getContexts().getTrace().getData())
        .containsEntry("grpc.method_type", kind)
        .containsEntry("grpc.messages.received", received)
        .containsEntry("grpc.messages.sent", sent);
    assertThat(transaction.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void everyServerTransactionHangsUnderTheClientSpanThatCalledIt() {
    for (StepResult step : scenario.steps()) {
      TraceTree trace = receiver.trace(step.traceId());
      assertThat(trace.roots()).as(step.label()).hasSize(1);
      for (TraceNode server : trace.nodes(node -> node.isTransaction() && "grpc.server".equals(node.op()))) {
        assertThat(trace.parentOf(server)).as(step.label() + ": " + server)
            .hasValueSatisfying(client -> {
              assertThat(client.op()).isEqualTo("grpc.client");
              assertThat(client.description()).isEqualTo(server.description());
            });
      }
    }
  }

  @Test
  void theMethodTableCountsEveryCallFromTheMetrics() {
    Map<String, Long> storefrontCalls =
        scenario.steps().stream().collect(Collectors.groupingBy(StepResult::method, Collectors.counting()));
    storefrontCalls.forEach(
        (method, calls) ->
            assertThat(received.metrics().named("grpc.server.calls").where("rpc.method", method).sum())
                .as(method)
                .isEqualTo((double) calls));
    List<String> lines = MethodTable.render(received.metrics(), received.transactions(), Style.PLAIN);
    System.out.println(String.join("\n", lines));
    assertThat(lines.get(0)).startsWith("Every call  from RPC metrics");
    // Six orders: order-3 hit the payment bug (INTERNAL), order-4 the payment deadline
    // (UNAVAILABLE), order-2 an unknown sku (NOT_FOUND, an answer, not an error of the service).
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).matches(" +shop\\.OrderService/PlaceOrder +6 +33% +[0-9.]+ m?s +[0-9.]+ m?s +6"));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).matches(" +shop\\.OrderService/WatchStock +1 +0% .* 1"));
  }

  @Test
  void theReportDrawsItAllInPlainText() {
    List<String> lines = Report.render(scenario, received, Style.PLAIN, Terminal.DEFAULT_WIDTH);
    String text = String.join("\n", lines);

    assertThat(text).doesNotContain("\u001b");
    assertThat(text)
        .contains("Trace 3/9: checkout order-3 -> INTERNAL")
        .contains("! IllegalStateException: ")
        .contains("mechanism grpc, unhandled")
        .contains("deadline_exceeded")
        .contains("not_found")
        .contains("~ reason CARD_DECLINED (payments.shop.example)")
        .contains("reason CARD_DECLINED (payments.shop.example), event")
        .contains("2 error events")
        .contains("Every call");
    assertThat(lines).filteredOn(line -> line.startsWith("Trace ")).hasSize(9);
  }
}

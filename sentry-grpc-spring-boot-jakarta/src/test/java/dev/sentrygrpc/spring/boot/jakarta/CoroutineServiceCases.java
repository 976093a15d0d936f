package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.conformance.CoroutineOrdersService;
import dev.sentrygrpc.conformance.OrderReply;
import dev.sentrygrpc.conformance.OrderRequest;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.Status;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentryTransaction;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A grpc-kotlin coroutine service ({@link CoroutineOrdersService}) served by the framework: what
 * it does with Sentry after resuming on another thread belongs to its call. Each framework's test
 * says how to reach its application.
 */
abstract class CoroutineServiceCases {
  static final String PLACE = "conformance.Orders/Place";

  abstract SentryReceiver receiver();

  abstract Channel channel();

  @Test
  void aSpanFromTheCoroutineOnAnotherThreadIsAChildOfTheCallsTransaction() {
    InANewTrace call = InANewTrace.call(() -> place("ok"));

    assertThat(call.status()).isEqualTo(Status.Code.OK);
    // The service's Sentry work ran on a thread of its own, not the one the call started on.
    assertThat(CoroutineOrdersService.getWorkedOn().getName()).isEqualTo("coroutine-work");
    assertThat(CoroutineOrdersService.getWorkedOn())
        .isNotSameAs(CoroutineOrdersService.getStartedOn());
    SentryTransaction served = call.transaction(receiver(), PLACE);
    assertThat(served.getSpans())
        .as("the coroutine's span is a child of the call's transaction")
        .anySatisfy(
            span -> {
              assertThat(span.getOp()).isEqualTo("coroutine.work");
              assertThat(span.getParentSpanId())
                  .isEqualTo(served.getContexts().getTrace().getSpanId());
            });
  }

  @Test
  void anExceptionTheCoroutineThrowsIsOneErrorEventInTheCallsTrace() {
    InANewTrace call = InANewTrace.call(() -> place("throw"));

    assertThat(call.status()).isEqualTo(Status.Code.UNKNOWN);
    SentryTransaction served = call.transaction(receiver(), PLACE);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.UNKNOWN);
    List<SentryEvent> events = call.events(receiver());
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getExceptions())
        .anySatisfy(e -> assertThat(e.getValue()).startsWith("order failed: "));
    // The call's own data reached the event.
    assertThat(events.get(0).getContexts().get("grpc")).isNotNull();
  }

  private OrderReply place(String outcome) {
    return OrdersGrpc.newBlockingStub(channel())
        .place(OrderRequest.newBuilder().setItem("coffee").setOutcome(outcome).build());
  }
}

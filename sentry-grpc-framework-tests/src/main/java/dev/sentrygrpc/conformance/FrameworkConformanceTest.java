package dev.sentrygrpc.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance cases every framework module runs through its framework's own server and
 * client (CONFORMANCE.md, "Every framework"): 1, 3/4 with 20/21, 7, 10, 11, 12, 13 and 14.
 *
 * <p>A framework's test extends this and says how to reach its application: the application serves
 * {@link OrdersService} and {@link StorefrontService} (Storefront calling Orders through the
 * framework's client), has Sentry set up the framework's way with {@code tracesSampleRate} 1.0 and
 * the DSN of {@link #receiver()}, and {@link #channel()} is a channel to it from the framework's
 * client, so calls from the test cross the Sentry client interceptor too. What the framework does
 * of its own (exception mapping, security refusals) its module tests besides.
 *
 * <p>Every call carries a tag of its own ({@code conformance.tag}), and every assertion picks
 * what the receiver got by it, so the cases do not depend on their order or on each other.
 */
public abstract class FrameworkConformanceTest {
  protected static final String PLACE = "conformance.Orders/Place";
  protected static final String TRACK = "conformance.Orders/Track";
  protected static final String CHECKOUT = "conformance.Storefront/Checkout";

  /** Only a bound on waiting for delivery, never something measured. */
  protected static final Duration DELIVERY = Duration.ofSeconds(30);

  /** The local Sentry the application sends to. */
  protected abstract SentryReceiver receiver();

  /** A channel to the application's server, built by the framework's client. */
  protected abstract Channel channel();

  /** The status the framework's client sees for a service exception nothing maps. */
  protected Status.Code unmappedExceptionStatus() {
    return Status.Code.UNKNOWN;
  }

  /** A channel to the application's gRPC health service, or null when it serves none. */
  protected Channel healthChannel() {
    return null;
  }

  @BeforeEach
  void forgetEarlierCases() {
    receiver().clear();
  }

  // Case 1
  @Test
  void aUnaryCallIsExactlyOneTransaction() {
    String tag = newTag();
    OrderReply reply = orders().place(order(tag, "ok"));

    assertThat(reply.getMessage()).isEqualTo("placed " + tag);
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(served.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    assertThat(served.getContexts().getTrace().getOrigin()).isEqualTo("auto.grpc.grpc.server");
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(served.getContexts().getTrace().getData())
        .containsEntry("rpc.system", "grpc")
        .containsEntry("rpc.method", PLACE)
        .containsEntry("rpc.response.status_code", "OK");
    assertThat(served.getSpans())
        .as("the handler's own span is a child of the call's transaction")
        .anySatisfy(
            span -> {
              assertThat(span.getOp()).isEqualTo("order.work");
              assertThat(span.getParentSpanId()).isEqualTo(served.getContexts().getTrace().getSpanId());
            });
    settle();
    assertThat(transactions(PLACE, tag)).hasSize(1);
  }

  // Cases 3/4 and 20/21: caller -> Storefront -> Orders, both hops through the framework's client
  @Test
  void aTraceCrossesTwoServicesOfTheApplication() {
    String tag = newTag();
    ITransaction checkout;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("conformance").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      checkout = Sentry.startTransaction("checkout " + tag, "test", bound);
      storefront().checkout(order(tag, "ok"));
      checkout.finish();
    }

    SentryId trace = checkout.getSpanContext().getTraceId();
    SentryTransaction caller =
        receiver().awaitTransaction(t -> ("checkout " + tag).equals(t.getTransaction()), DELIVERY);
    SentryTransaction front = awaitTransaction(CHECKOUT, tag);
    SentryTransaction back = awaitTransaction(PLACE, tag);
    SentrySpan callerSpan = clientSpan(caller, CHECKOUT);
    SentrySpan frontSpan = clientSpan(front, PLACE);
    assertThat(front.getContexts().getTrace().getTraceId()).isEqualTo(trace);
    assertThat(back.getContexts().getTrace().getTraceId()).isEqualTo(trace);
    assertThat(front.getContexts().getTrace().getParentSpanId()).isEqualTo(callerSpan.getSpanId());
    assertThat(back.getContexts().getTrace().getParentSpanId()).isEqualTo(frontSpan.getSpanId());
    assertThat(frontSpan.getParentSpanId()).isEqualTo(front.getContexts().getTrace().getSpanId());
    assertThat(frontSpan.getOrigin()).isEqualTo("auto.grpc.grpc.client");
  }

  // Case 7
  @Test
  void aThrownExceptionIsExactlyOneErrorEventInTheCallsTrace() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, () -> orders().place(order(tag, "throw")));

    assertThat(failure).as("the call fails").isNotNull();
    assertThat(failure.getStatus().getCode()).isEqualTo(unmappedExceptionStatus());
    SentryEvent event = receiver().awaitEvent(tagged(tag), DELIVERY);
    assertThat(event.getExceptions()).isNotEmpty();
    // The thrown exception is the last one; causes come before it (kotlinx.coroutines, with
    // assertions on, rethrows a copy of the exception with the original as its cause).
    SentryException thrown = event.getExceptions().get(event.getExceptions().size() - 1);
    assertThat(thrown.getValue()).isEqualTo("order failed: " + tag);
    assertThat(thrown.getMechanism().getType()).isEqualTo("grpc");
    assertThat(thrown.getMechanism().isHandled()).isFalse();
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(event.getContexts().getTrace().getTraceId())
        .isEqualTo(served.getContexts().getTrace().getTraceId());
    assertThat(served.getContexts().getTrace().getStatus())
        .isEqualTo(spanStatus(unmappedExceptionStatus()));
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).hasSize(1);
  }

  // Case 6, through the framework: an expected status is no event
  @Test
  void anExpectedStatusSetsTheTransactionStatusAndIsNoEvent() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> orders().place(order(tag, "not-found")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getStatus())
        .isEqualTo(SpanStatus.NOT_FOUND);
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).isEmpty();
  }

  // Case 10
  @Test
  void concurrentCallsKeepTheirOwnScopes() throws Exception {
    int calls = 24;
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      tags.add(newTag());
    }
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<OrderReply>> replies = new ArrayList<>();
      for (String tag : tags) {
        replies.add(callers.submit(() -> orders().place(order(tag, "ok"))));
      }
      for (Future<OrderReply> reply : replies) {
        reply.get(30, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }

    // Callers outside a transaction share the process's propagation context, so the calls share a
    // trace; what must stay apart is what each call set on its own scopes.
    for (String tag : tags) {
      SentryTransaction served = awaitTransaction(PLACE, tag);
      assertThat(served.getTags()).containsEntry(OrdersService.TAG, tag);
      assertThat(served.getBreadcrumbs())
          .as("only its own breadcrumb")
          .extracting(b -> b.getMessage())
          .filteredOn(message -> message != null && message.startsWith("placing "))
          .containsExactly("placing " + tag);
    }
  }

  // Case 11
  @Test
  void aCancelledCallFinishesOnceAsCancelled() throws Exception {
    String tag = newTag();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Ending ending = new Ending(ended);
    OrdersGrpc.newStub(channel()).place(sleeping(tag, 30_000), ending);
    assertThat(OrdersService.started(tag).await(30, TimeUnit.SECONDS))
        .as("the call reached the service")
        .isTrue();
    // Through the stub's own call, which every framework's client honours (Armeria's does not
    // watch grpc-java's Context for cancellation).
    ending.cancel();

    assertThat(Status.fromThrowable(ended.get(30, TimeUnit.SECONDS)).getCode())
        .isEqualTo(Status.Code.CANCELLED);
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getStatus())
        .isEqualTo(SpanStatus.CANCELLED);
    settle();
    assertThat(transactions(PLACE, tag)).hasSize(1);
  }

  // Case 12
  @Test
  void aCallPastItsDeadlineFinishesOnceAsDeadlineExceeded() {
    // A server can tell a caller's deadline from a cancel only by its own copy of the deadline,
    // whose clock starts when the call reaches it: a first call, slowed by class loading and
    // connection set-up after the caller's clock started, would look like a cancel. Warm up.
    orders().place(order(newTag(), "ok"));
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                orders()
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .place(sleeping(tag, 30_000)));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getStatus())
        .isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
    settle();
    assertThat(transactions(PLACE, tag)).hasSize(1);
  }

  // Case 13
  @Test
  void aStreamingCallIsOneTransactionWithItsMessageCounts() {
    String tag = newTag();
    Iterator<OrderReply> replies =
        OrdersGrpc.newBlockingStub(channel()).track(order(tag, "ok").toBuilder().setCount(5).build());
    int received = 0;
    while (replies.hasNext()) {
      replies.next();
      received++;
    }

    assertThat(received).isEqualTo(5);
    SentryTransaction served = awaitTransaction(TRACK, tag);
    assertThat(served.getContexts().getTrace().getData())
        .containsEntry("grpc.messages.sent", 5)
        .containsEntry("grpc.method_type", "SERVER_STREAMING");
    settle();
    assertThat(transactions(TRACK, tag)).hasSize(1);
  }

  // Case 14
  @Test
  void healthChecksAreIgnored() {
    Channel health = healthChannel();
    assumeTrue(health != null, "the application serves no gRPC health service");
    HealthGrpc.newBlockingStub(health).check(HealthCheckRequest.getDefaultInstance());
    String tag = newTag();
    orders().place(order(tag, "ok"));

    awaitTransaction(PLACE, tag);
    settle();
    assertThat(receiver().transactions())
        .extracting(SentryTransaction::getTransaction)
        .noneMatch(name -> name != null && name.startsWith("grpc.health.v1.Health/"));
  }

  // ---- helpers for the cases and for framework tests of their own ----

  protected OrdersGrpc.OrdersBlockingStub orders() {
    return OrdersGrpc.newBlockingStub(channel());
  }

  protected StorefrontGrpc.StorefrontBlockingStub storefront() {
    return StorefrontGrpc.newBlockingStub(channel());
  }

  protected static String newTag() {
    return "c-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** An order for {@code item = tag}, tagged with the same value. */
  protected static OrderRequest order(String tag, String outcome) {
    return OrderRequest.newBuilder().setItem(tag).setTag(tag).setOutcome(outcome).build();
  }

  protected static OrderRequest sleeping(String tag, long millis) {
    return order(tag, "sleep").toBuilder().setSleepMs(millis).build();
  }

  protected SentryTransaction awaitTransaction(String name, String tag) {
    return receiver()
        .awaitTransaction(
            t -> name.equals(t.getTransaction())
                && t.getTags() != null
                && tag.equals(t.getTags().get(OrdersService.TAG)),
            DELIVERY);
  }

  protected List<SentryTransaction> transactions(String name, String tag) {
    return receiver().transactions().stream()
        .filter(
            t -> name.equals(t.getTransaction())
                && t.getTags() != null
                && tag.equals(t.getTags().get(OrdersService.TAG)))
        .collect(Collectors.toList());
  }

  protected static Predicate<SentryEvent> tagged(String tag) {
    return e -> e.getTags() != null && tag.equals(e.getTags().get(OrdersService.TAG));
  }

  /** The span status of a gRPC code: the same name, but INTERNAL is INTERNAL_ERROR. */
  protected static SpanStatus spanStatus(Status.Code code) {
    return code == Status.Code.INTERNAL ? SpanStatus.INTERNAL_ERROR : SpanStatus.valueOf(code.name());
  }

  /** Lets what the SDK still holds reach the receiver, before counting. */
  protected static void settle() {
    Sentry.flush(DELIVERY.toMillis());
  }

  private static SentrySpan clientSpan(SentryTransaction transaction, String method) {
    Set<String> ops =
        transaction.getSpans().stream().map(SentrySpan::getOp).collect(Collectors.toSet());
    return transaction.getSpans().stream()
        .filter(span -> "grpc.client".equals(span.getOp()) && method.equals(span.getDescription()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no grpc.client span for " + method + " among " + ops));
  }

  /** Completes with the call's error, or null when it succeeded; can cancel the call. */
  private static final class Ending implements ClientResponseObserver<OrderRequest, OrderReply> {
    private final CompletableFuture<Throwable> ended;
    private volatile ClientCallStreamObserver<OrderRequest> call;

    Ending(CompletableFuture<Throwable> ended) {
      this.ended = ended;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<OrderRequest> call) {
      this.call = call;
    }

    void cancel() {
      call.cancel("cancelled by the test", null);
    }

    @Override
    public void onNext(OrderReply reply) {}

    @Override
    public void onError(Throwable t) {
      ended.complete(t);
    }

    @Override
    public void onCompleted() {
      ended.complete(null);
    }
  }
}

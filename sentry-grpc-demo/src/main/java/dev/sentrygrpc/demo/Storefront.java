package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.shop.ImportSummary;
import dev.sentrygrpc.demo.shop.OrderReply;
import dev.sentrygrpc.demo.shop.OrderRequest;
import dev.sentrygrpc.demo.shop.OrderServiceGrpc;
import dev.sentrygrpc.demo.shop.OrderStatus;
import dev.sentrygrpc.demo.shop.StockLevel;
import dev.sentrygrpc.demo.shop.StockQuery;
import dev.sentrygrpc.demo.shop.TrackRequest;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scripted client: places orders and uses each streaming method once, every step inside a
 * transaction of its own, so each step's trace starts here and crosses the services. Orders 2 to
 * 5 fail on purpose, one way each.
 */
final class Storefront {

  static final String OP = "storefront";
  /** Generous: only the payment hop has a tight deadline, and that one is OrderService's. */
  private static final long CALL_DEADLINE_SECONDS = 10;

  /** How scripted orders end, by position: the failures come early so small runs show them. */
  enum Outcome {
    PAID("", Catalog.MUG, Catalog.GOOD_CARD, 0),
    UNKNOWN_SKU("unknown SKU: NOT_FOUND from inventory, no error event", Catalog.UNKNOWN_SKU, Catalog.GOOD_CARD, 0),
    PAYMENT_BUG("card processor bug: exception captured in PaymentService", Catalog.TEE, Catalog.BUGGY_CARD, 1),
    SLOW_PAYMENT("slow card processor: payment deadline exceeded", Catalog.STICKERS, Catalog.SLOW_CARD, 0),
    CARD_DECLINED("card declined: ErrorInfo reason CARD_DECLINED, one issue per reason", Catalog.MUG, Catalog.DECLINED_CARD, 1);

    final String story;
    final String sku;
    final String card;
    final int errors;

    Outcome(String story, String sku, String card, int errors) {
      this.story = story;
      this.sku = sku;
      this.card = card;
      this.errors = errors;
    }

    static Outcome forOrder(int number) {
      return switch (number) {
        case 2 -> UNKNOWN_SKU;
        case 3 -> PAYMENT_BUG;
        case 4 -> SLOW_PAYMENT;
        case 5 -> CARD_DECLINED;
        default -> PAID;
      };
    }
  }

  private final OrderServiceGrpc.OrderServiceBlockingStub blocking;
  private final OrderServiceGrpc.OrderServiceStub async;

  Storefront(Channel orderService) {
    this.blocking = OrderServiceGrpc.newBlockingStub(orderService);
    this.async = OrderServiceGrpc.newStub(orderService);
  }

  /** Steps a run of {@code orders} orders takes: the orders, then the three streaming calls. */
  static int steps(int orders) {
    return orders + 3;
  }

  ScenarioResult run(int orders, Progress progress) {
    int total = steps(orders);
    List<StepResult> results = new ArrayList<>();
    int step = 0;
    for (int number = 1; number <= orders; number++) {
      Outcome outcome = Outcome.forOrder(number);
      String orderId = "order-" + number;
      String sku = outcome == Outcome.PAID ? Catalog.SKUS.get((number - 1) % Catalog.SKUS.size()) : outcome.sku;
      OrderRequest order =
          OrderRequest.newBuilder()
              .setOrderId(orderId)
              .setSku(sku)
              .setQuantity(1 + number % 3)
              .setCard(outcome.card)
              .setAmountCents(Catalog.PRICE_CENTS.getOrDefault(sku, 1000L))
              .build();
      results.add(
          step(++step, total, progress, "checkout " + orderId, outcome.story, "checkout",
              OrderServiceGrpc.getPlaceOrderMethod(), outcome.errors, () -> checkout(order)));
    }
    results.add(
        step(++step, total, progress, "watch stock", "", "watch stock",
            OrderServiceGrpc.getWatchStockMethod(), 0, this::watchStock));
    results.add(
        step(++step, total, progress, "import orders", "", "import orders",
            OrderServiceGrpc.getImportOrdersMethod(), 0, this::importOrders));
    int tracked = Math.min(orders, 4);
    results.add(
        step(++step, total, progress, "track orders", "", "track orders",
            OrderServiceGrpc.getTrackOrdersMethod(), 0, () -> trackOrders(tracked)));
    return new ScenarioResult(results);
  }

  /** One gRPC call and what it answered, as a line for the progress log. */
  @FunctionalInterface
  private interface Call {
    String call() throws Exception;
  }

  /**
   * Runs one call inside a new transaction, in scopes of its own so steps share no breadcrumbs,
   * tags or spans: what a request handler in a real storefront would have.
   */
  @SuppressWarnings("try") // the isolation scope is used implicitly, through Sentry's statics
  private StepResult step(
      int step,
      int total,
      Progress progress,
      String label,
      String story,
      String transactionName,
      MethodDescriptor<?, ?> method,
      int expectedErrors,
      Call call) {
    progress.started(step, total, label);
    long start = System.nanoTime();
    Status status;
    String detail;
    String traceId;
    boolean sampled;
    try (ISentryLifecycleToken scopes = Sentry.pushIsolationScope()) {
      TransactionOptions options = new TransactionOptions();
      // Bound to the scope: the client interceptor makes the call a child span of it.
      options.setBindToScope(true);
      ITransaction transaction = Sentry.startTransaction(transactionName, OP, options);
      transaction.setTag("step", label);
      traceId = transaction.getSpanContext().getTraceId().toString();
      sampled = Boolean.TRUE.equals(transaction.isSampled());
      try {
        detail = call.call();
        status = Status.OK;
      } catch (StatusRuntimeException e) {
        status = e.getStatus();
        detail = status.getDescription() != null ? status.getDescription() : "";
      } catch (Exception e) {
        status = Status.fromThrowable(e);
        detail = String.valueOf(e);
      }
      transaction.setStatus(spanStatus(status.getCode()));
      transaction.finish();
    }
    StepResult result =
        new StepResult(
            label,
            story,
            method.getType(),
            method.getFullMethodName(),
            transactionName,
            status.getCode(),
            detail,
            traceId,
            sampled,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
            expectedErrors);
    progress.finished(step, total, result);
    return result;
  }

  // ---- the four call kinds ----

  private String checkout(OrderRequest order) {
    OrderReply reply =
        blocking.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).placeOrder(order);
    return reply.getState() + ", " + reply.getPaymentId();
  }

  private String watchStock() {
    Iterator<StockLevel> levels =
        blocking
            .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .watchStock(StockQuery.newBuilder().addAllSkus(Catalog.SKUS).build());
    int received = 0;
    while (levels.hasNext()) {
      levels.next();
      received++;
    }
    return received + " stock levels";
  }

  private String importOrders() throws Exception {
    CompletableFuture<ImportSummary> summary = new CompletableFuture<>();
    StreamObserver<OrderRequest> upload =
        async
            .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .importOrders(completingWith(summary));
    for (int i = 1; i <= 3; i++) {
      String sku = Catalog.SKUS.get(i - 1);
      upload.onNext(
          OrderRequest.newBuilder()
              .setOrderId("import-" + i)
              .setSku(sku)
              .setQuantity(i)
              .setCard(Catalog.GOOD_CARD)
              .setAmountCents(Catalog.PRICE_CENTS.get(sku) * i)
              .build());
    }
    upload.onCompleted();
    ImportSummary result = await(summary);
    return result.getImported() + " imported, " + result.getRejected() + " rejected";
  }

  /** A conversation: ask about one order, wait for its answer, ask about the next. */
  private String trackOrders(int orders) throws Exception {
    LinkedBlockingQueue<OrderStatus> answers = new LinkedBlockingQueue<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<TrackRequest> questions =
        async
            .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .trackOrders(
                new StreamObserver<>() {
                  @Override
                  public void onNext(OrderStatus status) {
                    answers.add(status);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    List<String> states = new ArrayList<>();
    for (int number = 1; number <= orders; number++) {
      questions.onNext(TrackRequest.newBuilder().setOrderId("order-" + number).build());
      OrderStatus answer = answers.poll(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
      if (answer == null) {
        if (done.isCompletedExceptionally()) {
          await(done);
        }
        questions.onError(Status.CANCELLED.withDescription("no answer").asRuntimeException());
        throw Status.DEADLINE_EXCEEDED.withDescription("no answer about order-" + number).asRuntimeException();
      }
      states.add(answer.getOrderId() + " " + answer.getState());
    }
    questions.onCompleted();
    await(done);
    return String.join(", ", states);
  }

  private static <T> StreamObserver<T> completingWith(CompletableFuture<T> future) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        future.complete(null);
      }
    };
  }

  /** Waits for a streaming call's end, surfacing its status as the blocking stub would. */
  private static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(CALL_DEADLINE_SECONDS + 1, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("no reply").asRuntimeException();
    }
  }

  /** gRPC codes map to Sentry span statuses by name, except INTERNAL. */
  static SpanStatus spanStatus(Status.Code code) {
    return code == Status.Code.INTERNAL ? SpanStatus.INTERNAL_ERROR : SpanStatus.valueOf(code.name());
  }
}

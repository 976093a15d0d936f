package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.shop.ChargeReply;
import dev.sentrygrpc.demo.shop.ChargeRequest;
import dev.sentrygrpc.demo.shop.ImportSummary;
import dev.sentrygrpc.demo.shop.InventoryServiceGrpc;
import dev.sentrygrpc.demo.shop.OrderReply;
import dev.sentrygrpc.demo.shop.OrderRequest;
import dev.sentrygrpc.demo.shop.OrderServiceGrpc;
import dev.sentrygrpc.demo.shop.OrderStatus;
import dev.sentrygrpc.demo.shop.PaymentServiceGrpc;
import dev.sentrygrpc.demo.shop.ReserveRequest;
import dev.sentrygrpc.demo.shop.StockLevel;
import dev.sentrygrpc.demo.shop.StockQuery;
import dev.sentrygrpc.demo.shop.StockRequest;
import dev.sentrygrpc.demo.shop.TrackRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The front service: every method calls the warehouse and/or the payment service, so each of the
 * four call kinds produces a trace that crosses services. Its channels carry the client
 * interceptor (see {@link ShopServices}), which is what turns those calls into {@code grpc.client}
 * spans and sends the trace along.
 */
final class OrderServiceImpl extends OrderServiceGrpc.OrderServiceImplBase {

  /** Generous for the warehouse, which is fast. */
  private static final long INVENTORY_DEADLINE_MILLIS = 2_000;

  private final InventoryServiceGrpc.InventoryServiceBlockingStub inventory;
  private final PaymentServiceGrpc.PaymentServiceBlockingStub payment;
  private final Duration paymentTimeout;
  private final Map<String, String> orderStates = new ConcurrentHashMap<>();

  OrderServiceImpl(Channel inventory, Channel payment, Duration paymentTimeout) {
    this.inventory = InventoryServiceGrpc.newBlockingStub(inventory);
    this.payment = PaymentServiceGrpc.newBlockingStub(payment);
    this.paymentTimeout = paymentTimeout;
  }

  // ---- unary ----

  @Override
  public void placeOrder(OrderRequest request, StreamObserver<OrderReply> responses) {
    try {
      responses.onNext(place(request));
      responses.onCompleted();
    } catch (StatusRuntimeException e) {
      // Expected business outcomes travel as statuses without a cause: the transaction gets the
      // status, and only the service where something really broke sends an error event. Their
      // trailers go along: a declined card's error details reach the storefront too.
      responses.onError(e.getStatus().asRuntimeException(e.getTrailers()));
    }
  }

  private OrderReply place(OrderRequest order) {
    SimulatedWork.dbQuery("INSERT INTO orders (id, sku, quantity) VALUES (?, ?, ?)", 2);
    orderStates.put(order.getOrderId(), "pending");
    reserve(order);

    ChargeReply charge;
    try {
      charge =
          payment
              .withDeadlineAfter(paymentTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .charge(
                  ChargeRequest.newBuilder()
                      .setOrderId(order.getOrderId())
                      .setCard(order.getCard())
                      .setAmountCents(order.getAmountCents())
                      .build());
    } catch (StatusRuntimeException e) {
      orderStates.put(order.getOrderId(), "payment_failed");
      if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
        // The card was declined: the storefront gets the same answer, details and all.
        throw StatusProto.toStatusRuntimeException(StatusProto.fromThrowable(e));
      }
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        throw Status.UNAVAILABLE
            .withDescription(
                "payment service did not answer within " + paymentTimeout.toMillis() + " ms")
            .asRuntimeException();
      }
      throw Status.INTERNAL
          .withDescription("payment failed: " + e.getStatus().getCode())
          .asRuntimeException();
    }

    SimulatedWork.dbQuery("UPDATE orders SET state = 'paid' WHERE id = ?", 2);
    orderStates.put(order.getOrderId(), "paid");
    return OrderReply.newBuilder()
        .setOrderId(order.getOrderId())
        .setState("paid")
        .setPaymentId(charge.getPaymentId())
        .build();
  }

  private void reserve(OrderRequest order) {
    try {
      inventory
          .withDeadlineAfter(INVENTORY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
          .reserve(
              ReserveRequest.newBuilder()
                  .setOrderId(order.getOrderId())
                  .setSku(order.getSku())
                  .setQuantity(order.getQuantity())
                  .build());
    } catch (StatusRuntimeException e) {
      orderStates.put(order.getOrderId(), "rejected");
      // NOT_FOUND and FAILED_PRECONDITION mean the same to the storefront as to us.
      throw e.getStatus().asRuntimeException();
    }
  }

  // ---- server streaming ----

  @Override
  public void watchStock(StockQuery query, StreamObserver<StockLevel> responses) {
    try {
      for (String sku : query.getSkusList()) {
        // One warehouse call per SKU, each a grpc.client span inside this one transaction.
        responses.onNext(
            inventory
                .withDeadlineAfter(INVENTORY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .getStock(StockRequest.newBuilder().setSku(sku).build()));
      }
      responses.onCompleted();
    } catch (StatusRuntimeException e) {
      responses.onError(e.getStatus().asRuntimeException());
    }
  }

  // ---- client streaming ----

  @Override
  public StreamObserver<OrderRequest> importOrders(StreamObserver<ImportSummary> responses) {
    return new StreamObserver<>() {
      private int imported;
      private int rejected;

      @Override
      public void onNext(OrderRequest order) {
        // Each message is handled in the call's scopes, so these spans and calls land in the
        // stream's single transaction, however many messages arrive.
        SimulatedWork.dbQuery("INSERT INTO orders (id, sku, quantity) VALUES (?, ?, ?)", 1);
        try {
          reserve(order);
          orderStates.put(order.getOrderId(), "imported");
          imported++;
        } catch (StatusRuntimeException e) {
          rejected++;
        }
      }

      @Override
      public void onError(Throwable t) {
        // The client gave up; nothing to answer.
      }

      @Override
      public void onCompleted() {
        SimulatedWork.dbQuery("COMMIT", 1);
        responses.onNext(
            ImportSummary.newBuilder().setImported(imported).setRejected(rejected).build());
        responses.onCompleted();
      }
    };
  }

  // ---- bidirectional streaming ----

  @Override
  public StreamObserver<TrackRequest> trackOrders(StreamObserver<OrderStatus> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(TrackRequest request) {
        SimulatedWork.dbQuery("SELECT state FROM orders WHERE id = ?", 1);
        responses.onNext(
            OrderStatus.newBuilder()
                .setOrderId(request.getOrderId())
                .setState(orderStates.getOrDefault(request.getOrderId(), "unknown"))
                .build());
      }

      @Override
      public void onError(Throwable t) {
        // The client gave up; nothing to answer.
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }
}

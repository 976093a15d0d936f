package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.shop.InventoryServiceGrpc;
import dev.sentrygrpc.demo.shop.ReserveReply;
import dev.sentrygrpc.demo.shop.ReserveRequest;
import dev.sentrygrpc.demo.shop.StockLevel;
import dev.sentrygrpc.demo.shop.StockRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;

/** The warehouse. An unknown SKU is answered with NOT_FOUND: a normal outcome, no error event. */
final class InventoryServiceImpl extends InventoryServiceGrpc.InventoryServiceImplBase {

  private final AtomicInteger reservations = new AtomicInteger();

  @Override
  public void reserve(ReserveRequest request, StreamObserver<ReserveReply> responses) {
    SimulatedWork.dbQuery("SELECT available FROM stock WHERE sku = ? FOR UPDATE", 3);
    Integer available = Catalog.STOCK.get(request.getSku());
    if (available == null) {
      // A status without a cause: the interceptor records not_found on the transaction and
      // sends no event, because asking for something that does not exist is not a bug here.
      responses.onError(
          Status.NOT_FOUND
              .withDescription("unknown SKU '" + request.getSku() + "'")
              .asRuntimeException());
      return;
    }
    if (available < request.getQuantity()) {
      responses.onError(
          Status.FAILED_PRECONDITION
              .withDescription("only " + available + " of " + request.getSku() + " left")
              .asRuntimeException());
      return;
    }
    SimulatedWork.dbQuery("UPDATE stock SET reserved = reserved + ? WHERE sku = ?", 2);
    responses.onNext(
        ReserveReply.newBuilder()
            .setReservationId("rsv-" + reservations.incrementAndGet())
            .build());
    responses.onCompleted();
  }

  @Override
  public void getStock(StockRequest request, StreamObserver<StockLevel> responses) {
    SimulatedWork.dbQuery("SELECT available FROM stock WHERE sku = ?", 1);
    Integer available = Catalog.STOCK.get(request.getSku());
    if (available == null) {
      responses.onError(
          Status.NOT_FOUND
              .withDescription("unknown SKU '" + request.getSku() + "'")
              .asRuntimeException());
      return;
    }
    responses.onNext(
        StockLevel.newBuilder().setSku(request.getSku()).setAvailable(available).build());
    responses.onCompleted();
  }
}

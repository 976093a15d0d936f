package dev.sentrygrpc.conformance;

import io.grpc.stub.StreamObserver;
import io.sentry.Sentry;
import java.util.function.Supplier;

/**
 * The Storefront service of the conformance tests: {@code Checkout} places the order with Orders
 * through the stub the framework's client gives (so the call crosses the framework's client
 * interceptors), asynchronously, so no event-loop thread waits for it.
 */
public class StorefrontService extends StorefrontGrpc.StorefrontImplBase {
  private final Supplier<OrdersGrpc.OrdersStub> orders;

  /** @param orders the Orders stub of the framework's own client, looked up per call */
  public StorefrontService(Supplier<OrdersGrpc.OrdersStub> orders) {
    this.orders = orders;
  }

  @Override
  public void checkout(OrderRequest request, StreamObserver<OrderReply> replies) {
    Sentry.setTag(OrdersService.TAG, request.getTag());
    orders
        .get()
        .place(
            request,
            new StreamObserver<OrderReply>() {
              @Override
              public void onNext(OrderReply reply) {
                replies.onNext(reply);
              }

              @Override
              public void onError(Throwable t) {
                replies.onError(t);
              }

              @Override
              public void onCompleted() {
                replies.onCompleted();
              }
            });
  }
}

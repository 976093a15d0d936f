package dev.sentrygrpc.armeria;

import dev.sentrygrpc.conformance.OrderReply;
import dev.sentrygrpc.conformance.OrderRequest;
import dev.sentrygrpc.conformance.OrdersService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sentry.Sentry;

/**
 * The kit's Orders with two outcomes Armeria answers differently from grpc-java: {@code
 * throw-status} throws {@code NOT_FOUND} as a {@code StatusRuntimeException} (grpc-java answers any
 * thrown exception with {@code UNKNOWN}; Armeria with that status), and every call records the
 * thread it ran on.
 */
final class ArmeriaOrdersService extends OrdersService {
  static volatile Thread lastThread;

  @Override
  public void place(OrderRequest request, StreamObserver<OrderReply> replies) {
    lastThread = Thread.currentThread();
    if ("throw-status".equals(request.getOutcome())) {
      Sentry.setTag(TAG, request.getTag());
      throw Status.NOT_FOUND.withDescription("no such item: " + request.getItem()).asRuntimeException();
    }
    super.place(request, replies);
  }
}

package dev.sentrygrpc.conformance;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sentry.Breadcrumb;
import io.sentry.ISpan;
import io.sentry.Sentry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Orders service of the conformance tests. What {@code Place} does depends on the request's
 * outcome:
 *
 * <ul>
 *   <li>{@code ""}/{@code ok}: tags the call ({@code conformance.tag}), leaves a breadcrumb, does
 *       its work in a child span {@code order.work}, replies {@code placed <item>};
 *   <li>{@code throw}: throws {@link IllegalStateException} ({@code order failed: <item>});
 *   <li>{@code invalid}: throws {@link InvalidOrderException}, which frameworks map;
 *   <li>{@code not-found}: {@code onError(NOT_FOUND)}, an expected outcome;
 *   <li>{@code sleep}: replies after {@code sleep_ms} unless the call is cancelled first, without
 *       holding a thread (event-loop frameworks must not be blocked), and marks the call started.
 * </ul>
 *
 * <p>Not final: frameworks that find services by annotation subclass it to add theirs.
 */
public class OrdersService extends OrdersGrpc.OrdersImplBase {
  public static final String TAG = "conformance.tag";

  private static final ScheduledExecutorService LATER =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "conformance-orders-later");
            thread.setDaemon(true);
            return thread;
          });
  private static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();

  /** Counted down when a {@code sleep} call with this tag has reached the service. */
  public static CountDownLatch started(String tag) {
    return STARTED.computeIfAbsent(tag, t -> new CountDownLatch(1));
  }

  @Override
  public void place(OrderRequest request, StreamObserver<OrderReply> replies) {
    Sentry.setTag(TAG, request.getTag());
    switch (request.getOutcome()) {
      case "throw":
        throw new IllegalStateException("order failed: " + request.getItem());
      case "invalid":
        throw new InvalidOrderException("invalid order: " + request.getItem());
      case "not-found":
        replies.onError(
            Status.NOT_FOUND.withDescription("no such item: " + request.getItem()).asRuntimeException());
        return;
      case "sleep":
        replyLater(request, (ServerCallStreamObserver<OrderReply>) replies);
        return;
      default:
        Breadcrumb breadcrumb = new Breadcrumb("placing " + request.getItem());
        breadcrumb.setCategory("conformance");
        Sentry.addBreadcrumb(breadcrumb);
        ISpan parent = Sentry.getSpan();
        ISpan work = parent != null ? parent.startChild("order.work", request.getItem()) : null;
        if (work != null) {
          work.finish();
        }
        replies.onNext(reply("placed " + request.getItem()));
        replies.onCompleted();
    }
  }

  @Override
  public void track(OrderRequest request, StreamObserver<OrderReply> replies) {
    Sentry.setTag(TAG, request.getTag());
    for (int i = 1; i <= request.getCount(); i++) {
      replies.onNext(reply("tracked " + request.getItem() + " #" + i));
    }
    replies.onCompleted();
  }

  private static void replyLater(OrderRequest request, ServerCallStreamObserver<OrderReply> call) {
    ScheduledFuture<?> reply =
        LATER.schedule(
            () -> {
              if (!call.isCancelled()) {
                call.onNext(reply("slept " + request.getItem()));
                call.onCompleted();
              }
            },
            request.getSleepMs(),
            TimeUnit.MILLISECONDS);
    call.setOnCancelHandler(() -> reply.cancel(false));
    started(request.getTag()).countDown();
  }

  static OrderReply reply(String message) {
    return OrderReply.newBuilder().setMessage(message).build();
  }
}

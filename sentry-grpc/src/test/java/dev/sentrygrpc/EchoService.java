package dev.sentrygrpc;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sentry.ISpan;
import io.sentry.Sentry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The service under test. The request message says what the handler does: {@code ok}, {@code
 * throw}, {@code status:NOT_FOUND}, {@code cause:INTERNAL} (onError with a cause), {@code
 * no-reply} (completes without a reply), {@code cause-and-throw}, {@code sleep:MILLIS}, {@code
 * span} (a child span), {@code tag:X} (a tag and a breadcrumb), {@code hang} (no answer until
 * cancelled), {@code hang-then-fail-on-cancel} (the same, and its cancel handler throws), {@code
 * rich} (onError with {@link #richFailure}), {@code rich-throw} (throws it).
 */
final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {
  static final IllegalStateException SHARED_FAILURE = new IllegalStateException("shared failure");

  final CountDownLatch cancelled = new CountDownLatch(1);
  /** Counted down once a {@code hang-then-fail-on-cancel} handler is waiting for its cancel. */
  final CountDownLatch hanging = new CountDownLatch(1);
  /** When set, the bidi handler's onReady handler throws. */
  volatile boolean throwOnReady;
  /** What {@code rich} and {@code rich-throw} fail with: a status with details in its trailers. */
  volatile StatusRuntimeException richFailure;

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
    if (act(request.getMessage(), responses)) {
      responses.onNext(reply(request.getMessage(), 0));
      responses.onCompleted();
    }
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoReply> responses) {
    if (!act(request.getMessage(), responses)) {
      return;
    }
    for (int i = 0; i < request.getCount(); i++) {
      responses.onNext(reply(request.getMessage(), i));
    }
    responses.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoReply> responses) {
    return new StreamObserver<EchoRequest>() {
      int received;

      @Override
      public void onNext(EchoRequest request) {
        received++;
        if (!act(request.getMessage(), responses)) {
          throw new IllegalStateException("cannot go on after " + request.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onNext(reply("received", received));
        responses.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responses) {
    ServerCallStreamObserver<EchoReply> observer = (ServerCallStreamObserver<EchoReply>) responses;
    observer.setOnCancelHandler(cancelled::countDown);
    if (throwOnReady) {
      observer.setOnReadyHandler(
          () -> {
            throw new IllegalStateException("thrown in onReady");
          });
    }
    return new StreamObserver<EchoRequest>() {
      int index;

      @Override
      public void onNext(EchoRequest request) {
        String message = request.getMessage();
        if (act(message, responses)) {
          responses.onNext(reply(message, index++));
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  /** Does what the message says; false when the call was ended (or must not answer). */
  private boolean act(String message, StreamObserver<EchoReply> responses) {
    if (message.equals("throw")) {
      throw new IllegalStateException("handler failed");
    }
    if (message.startsWith("status:")) {
      Status.Code code = Status.Code.valueOf(message.substring("status:".length()));
      responses.onError(Status.fromCode(code).withDescription("on purpose").asRuntimeException());
      return false;
    }
    if (message.startsWith("cause:")) {
      Status.Code code = Status.Code.valueOf(message.substring("cause:".length()));
      responses.onError(
          Status.fromCode(code)
              .withDescription("failed with a cause")
              .withCause(new java.io.IOException("disk on fire"))
              .asRuntimeException());
      return false;
    }
    if (message.equals("rich")) {
      responses.onError(richFailure);
      return false;
    }
    if (message.equals("rich-throw")) {
      throw richFailure;
    }
    if (message.equals("no-reply")) {
      responses.onCompleted();
      return false;
    }
    if (message.equals("plain-on-error")) {
      responses.onError(new IllegalArgumentException("bad input"));
      return false;
    }
    if (message.equals("cause-and-throw")) {
      responses.onError(Status.INTERNAL.withCause(SHARED_FAILURE).asRuntimeException());
      throw SHARED_FAILURE;
    }
    if (message.startsWith("sleep:")) {
      sleep(Long.parseLong(message.substring("sleep:".length())));
    }
    if (message.equals("span")) {
      ISpan span = Sentry.getSpan();
      if (span != null) {
        span.startChild("db.query", "SELECT 1").finish();
      }
    }
    if (message.startsWith("tag:")) {
      String value = message.substring("tag:".length());
      Sentry.setTag("call", value);
      Sentry.addBreadcrumb("crumb-" + value);
    }
    if (message.equals("hang-then-fail-on-cancel")) {
      ServerCallStreamObserver<EchoReply> observer =
          (ServerCallStreamObserver<EchoReply>) responses;
      observer.setOnCancelHandler(
          () -> {
            cancelled.countDown();
            throw new IllegalStateException("cancel handler failed");
          });
      hanging.countDown();
      return false;
    }
    if (message.equals("hang")) {
      ServerCallStreamObserver<EchoReply> observer =
          (ServerCallStreamObserver<EchoReply>) responses;
      observer.setOnCancelHandler(cancelled::countDown);
      return false;
    }
    return true;
  }

  static EchoReply reply(String message, int index) {
    return EchoReply.newBuilder().setMessage(message).setIndex(index).build();
  }

  static EchoRequest request(String message) {
    return EchoRequest.newBuilder().setMessage(message).build();
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.sentrygrpc.reliability;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One call of each kind, made the way application code makes them, waiting for the end. */
final class Calls {
  enum Kind {
    UNARY("Unary"),
    SERVER_STREAMING("ServerStream"),
    CLIENT_STREAMING("ClientStream"),
    BIDI("Bidi");

    final String transactionName;

    Kind(String method) {
      this.transactionName = "sentrygrpc.test.EchoService/" + method;
    }
  }

  static final Metadata.Key<String> SENTRY_TRACE =
      Metadata.Key.of("sentry-trace", Metadata.ASCII_STRING_MARSHALLER);

  private Calls() {}

  /** Makes the call and returns its final status; never throws for a non-OK status. */
  static Status call(Harness harness, Kind kind, String message, Metadata headers, long deadlineMillis) {
    EchoServiceGrpc.EchoServiceBlockingStub blocking = harness.blocking();
    EchoServiceGrpc.EchoServiceStub async = harness.async();
    if (headers != null) {
      blocking = blocking.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      async = async.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    if (deadlineMillis > 0) {
      blocking = blocking.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
      async = async.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }
    EchoRequest request = EchoRequest.newBuilder().setMessage(message).setCount(3).build();
    try {
      switch (kind) {
        case UNARY:
          blocking.unary(request);
          return Status.OK;
        case SERVER_STREAMING:
          Iterator<EchoReply> replies = blocking.serverStream(request);
          while (replies.hasNext()) {
            replies.next();
          }
          return Status.OK;
        case CLIENT_STREAMING:
          {
            Outcome outcome = new Outcome();
            StreamObserver<EchoRequest> requests = async.clientStream(outcome);
            for (int i = 0; i < 3; i++) {
              requests.onNext(request);
            }
            requests.onCompleted();
            return outcome.await();
          }
        case BIDI:
          {
            Outcome outcome = new Outcome();
            StreamObserver<EchoRequest> requests = async.bidi(outcome);
            for (int i = 0; i < 3; i++) {
              requests.onNext(request);
            }
            requests.onCompleted();
            return outcome.await();
          }
        default:
          throw new AssertionError(kind);
      }
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  /** The final status of an async call. */
  static final class Outcome implements StreamObserver<EchoReply> {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    volatile int replies;

    @Override
    public void onNext(EchoReply value) {
      replies++;
    }

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }

    Status await() {
      try {
        return status.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("call did not end", e);
      }
    }
  }
}

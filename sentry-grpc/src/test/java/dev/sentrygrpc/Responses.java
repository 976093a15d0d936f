package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Collects the replies and the final status of an async call; open for tests to extend. */
class Responses implements ClientResponseObserver<EchoRequest, EchoReply> {
  final List<EchoReply> replies = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Status status;
  volatile ClientCallStreamObserver<EchoRequest> requests;

  @Override
  public void beforeStart(ClientCallStreamObserver<EchoRequest> requests) {
    this.requests = requests;
  }

  @Override
  public void onNext(EchoReply reply) {
    replies.add(reply);
  }

  @Override
  public void onError(Throwable t) {
    status = Status.fromThrowable(t);
    done.countDown();
  }

  @Override
  public void onCompleted() {
    status = Status.OK;
    done.countDown();
  }

  Status status() {
    return status;
  }

  Status await() throws InterruptedException {
    assertThat(done.await(10, TimeUnit.SECONDS)).as("call closed").isTrue();
    return status;
  }

  /** The same, as a bare ClientCall listener. */
  ClientCall.Listener<EchoReply> asListener() {
    return new ClientCall.Listener<EchoReply>() {
      @Override
      public void onMessage(EchoReply message) {
        onNext(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (status.isOk()) {
          onCompleted();
        } else {
          onError(status.asRuntimeException(trailers));
        }
      }
    };
  }
}

package dev.sentrygrpc.reliability;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends every call as its request plans: the message names the status code, the count is how long
 * to take first (in microseconds) on unary calls and server streams; a server stream then sends
 * {@value #STREAM_REPLIES} replies when it ends OK. Client streams and bidi streams answer every
 * message and end OK.
 */
final class PlannedService extends EchoServiceGrpc.EchoServiceImplBase {
  static final int STREAM_REPLIES = 3;

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
    take(request);
    end(request.getMessage(), responses, 1);
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoReply> responses) {
    take(request);
    end(request.getMessage(), responses, STREAM_REPLIES);
  }

  private static void take(EchoRequest request) {
    if (request.getCount() > 0) {
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(request.getCount()));
    }
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoReply> responses) {
    return new StreamObserver<EchoRequest>() {
      @Override
      public void onNext(EchoRequest request) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        end("OK", responses, 1);
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responses) {
    return new StreamObserver<EchoRequest>() {
      @Override
      public void onNext(EchoRequest request) {
        responses.onNext(EchoReply.newBuilder().setMessage(request.getMessage()).build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  private static void end(String codeName, StreamObserver<EchoReply> responses, int replies) {
    Status.Code code = Status.Code.valueOf(codeName);
    if (code == Status.Code.OK) {
      for (int i = 0; i < replies; i++) {
        responses.onNext(EchoReply.newBuilder().setMessage("ok").setIndex(i).build());
      }
      responses.onCompleted();
    } else {
      responses.onError(Status.fromCode(code).withDescription("planned " + code).asRuntimeException());
    }
  }
}

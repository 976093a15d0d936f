package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.stub.StreamObserver;

/** The server side of every benchmark: answers at once, no work of its own. */
final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {
  static final EchoReply REPLY = EchoReply.newBuilder().setMessage("pong").build();

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    responseObserver.onNext(REPLY);
    responseObserver.onCompleted();
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    // The same immutable reply every time: the baseline stays as cheap as possible, so the
    // instrumentation's share is not diluted by message building.
    for (int i = 0; i < request.getCount(); i++) {
      responseObserver.onNext(REPLY);
    }
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responseObserver) {
    return new StreamObserver<EchoRequest>() {
      @Override
      public void onNext(EchoRequest value) {
        responseObserver.onNext(REPLY);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }
}

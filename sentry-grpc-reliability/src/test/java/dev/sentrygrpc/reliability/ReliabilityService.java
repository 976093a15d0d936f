package dev.sentrygrpc.reliability;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.protocol.User;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service the reliability tests call. Every call marks its own scopes with the id in its
 * first message (a tag, a breadcrumb and a user), so cross-talk between calls shows up in what
 * Sentry receives. {@code hang} answers nothing until the call is cancelled; {@code throw} fails.
 */
final class ReliabilityService extends EchoServiceGrpc.EchoServiceImplBase {
  final AtomicInteger cancellations = new AtomicInteger();
  /** The scopes each call ran in, weakly: after the call nothing may keep them alive. */
  final List<WeakReference<IScopes>> callScopes = new CopyOnWriteArrayList<>();

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
    countCancellations(responses);
    if (begin(request, responses)) {
      responses.onNext(reply(request.getMessage(), 0));
      responses.onCompleted();
    }
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoReply> responses) {
    countCancellations(responses);
    if (!begin(request, responses)) {
      return;
    }
    for (int i = 0; i < Math.max(1, request.getCount()); i++) {
      responses.onNext(reply(request.getMessage(), i));
    }
    responses.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoReply> responses) {
    countCancellations(responses);
    return new StreamObserver<EchoRequest>() {
      int received;
      boolean answering = true;

      @Override
      public void onNext(EchoRequest request) {
        if (received++ == 0) {
          answering = begin(request, responses);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (answering) {
          responses.onNext(reply("received", received));
          responses.onCompleted();
        }
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responses) {
    countCancellations(responses);
    return new StreamObserver<EchoRequest>() {
      int index;
      boolean answering = true;

      @Override
      public void onNext(EchoRequest request) {
        if (index == 0) {
          answering = begin(request, responses);
        }
        if (answering) {
          responses.onNext(reply(request.getMessage(), index));
        }
        index++;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (answering) {
          responses.onCompleted();
        }
      }
    };
  }

  /** grpc-java takes the cancel handler only while the method itself runs. */
  private void countCancellations(StreamObserver<EchoReply> responses) {
    ((ServerCallStreamObserver<EchoReply>) responses).setOnCancelHandler(cancellations::incrementAndGet);
  }

  /** Marks the call's scopes; false when the call must not be answered. */
  private boolean begin(EchoRequest request, StreamObserver<EchoReply> responses) {
    String message = request.getMessage();
    callScopes.add(new WeakReference<>(Sentry.getCurrentScopes()));
    String id = idOf(message);
    Sentry.setTag("call", id);
    Sentry.addBreadcrumb("crumb-" + id);
    User user = new User();
    user.setId(id);
    Sentry.setUser(user);
    if (message.contains("throw")) {
      throw new IllegalStateException("failure in " + id);
    }
    return !message.contains("hang");
  }

  /** {@code "call-7 hang"} → {@code "call-7"}. */
  static String idOf(String message) {
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }

  static EchoReply reply(String message, int index) {
    return EchoReply.newBuilder().setMessage(message).setIndex(index).build();
  }
}

package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sentrygrpc.testservice.Pools;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentryTransaction;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How server calls end (cases 10 to 12 of CONFORMANCE.md): cancels and deadlines, each finishing
 * the transaction exactly once, on Netty over loopback and in-process; and per-call isolation.
 */
class ServerLifecycleTest {
  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  @Test
  void aLongOpenStreamKeepsNoMessageAlive() throws Exception {
    // Case 13: nothing the interceptors keep grows with the messages. The messages the service
    // has handled must be collectable while the stream is still open.
    sentry = SentryRecorder.init();
    List<WeakReference<Object>> handled = new CopyOnWriteArrayList<>();
    ServerInterceptor recordingMessages =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
                next.startCall(call, headers)) {
              @Override
              public void onMessage(ReqT message) {
                handled.add(new WeakReference<>(message));
                super.onMessage(message);
              }
            };
          }
        };
    int messages = 500;
    try (TestServer server = TestServer.start(recordingMessages, new SentryServerInterceptor())) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests = server.async().bidi(responses);
      for (int i = 0; i < messages; i++) {
        requests.onNext(request("message " + i));
      }
      awaitReplies(responses, messages);
      responses.replies.clear();

      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < end && handled.stream().anyMatch(r -> r.get() != null)) {
        System.gc();
        Thread.sleep(20);
      }
      assertThat(handled).hasSize(messages).allMatch(r -> r.get() == null, "collected");

      requests.onCompleted();
      responses.await();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getContexts().getTrace().getData())
        .containsEntry("grpc.messages.received", messages)
        .containsEntry("grpc.messages.sent", messages);
  }

  @Test
  void anExceptionFromTheCancelHandlerDoesNotChangeWhatTheClientSaw() throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TestServer server =
        TestServer.builder().executor(pool).serverInterceptors(new SentryServerInterceptor()).start()) {
      Responses responses = new Responses();
      Context.CancellableContext context = Context.current().withCancellation();
      context.run(() -> server.async().unary(request("hang-then-fail-on-cancel"), responses));
      // Cancel only once the handler has set its cancel handler (the call is on the server).
      assertThat(server.service.hanging.await(10, TimeUnit.SECONDS)).isTrue();
      context.cancel(new RuntimeException("user went away"));
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(server.service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      Pools.drain(pool);
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.CANCELLED);
    // The handler's failure is still an error worth knowing about.
    assertThat(sentry.awaitEvents(1).get(0).getExceptions().get(0).getValue())
        .isEqualTo("cancel handler failed");
  }

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void aClientCancelMidStreamFinishesTheTransactionOnceAsCancelled(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TestServer server =
        TestServer.builder()
            .transport(transport)
            .executor(pool)
            .serverInterceptors(new SentryServerInterceptor())
            .start()) {
      Responses responses = new Responses();
      Context.CancellableContext context = Context.current().withCancellation();
      StreamObserver<EchoRequest> requests =
          context.call(() -> server.async().bidi(responses));
      requests.onNext(request("ok"));
      awaitReplies(responses, 1);
      context.cancel(new RuntimeException("user went away"));
      assertThat(server.service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      Pools.drain(pool);
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(1);
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(transaction.getContexts().getTrace().getData()).containsEntry("grpc.messages.received", 1);
  }

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void aDeadlineThatExpiresWhileTheHandlerSleepsGivesDeadlineExceeded(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TestServer server =
        TestServer.builder()
            .transport(transport)
            .executor(pool)
            .serverInterceptors(new SentryServerInterceptor())
            .start()
            .warmUp()) {
      assertThatThrownBy(
              () ->
                  server
                      .blocking()
                      .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                      .unary(request("sleep:600")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
      assertThat(transaction.getStatus()).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
      assertThat(transaction.getContexts().getTrace().getData())
          .containsKey("grpc.deadline.remaining_ms");
      // The handler wakes up later and answers into a dead call: still one transaction.
      EchoService.sleep(700);
    } finally {
      Pools.drain(pool);
    }
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(1);
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void aHandlerThatNeverAnswersFinishesWhenTheDeadlineCancelsIt() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server =
        TestServer.builder()
            .transport(TestServer.Transport.NETTY)
            .serverInterceptors(new SentryServerInterceptor())
            .start()
            .warmUp()) {
      assertThatThrownBy(
              () ->
                  server.blocking().withDeadlineAfter(150, TimeUnit.MILLISECONDS).unary(request("hang")))
          .isInstanceOf(StatusRuntimeException.class);
      assertThat(server.service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(1);
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
  }

  @Test
  void tagsAndBreadcrumbsNeverCrossCallsOnASharedPool() throws Exception {
    ExecutorService serverPool = Executors.newFixedThreadPool(4);
    try {
      assertIsolation(serverPool, 200);
    } finally {
      Pools.drain(serverPool);
    }
  }

  @Test
  void tagsAndBreadcrumbsNeverCrossCallsOnASingleThread() throws Exception {
    ExecutorService serverThread = Executors.newSingleThreadExecutor();
    try {
      assertIsolation(serverThread, 100);
    } finally {
      serverThread.shutdownNow();
    }
  }

  private void assertIsolation(ExecutorService serverExecutor, int calls) throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try (TestServer server =
        TestServer.builder()
            .transport(TestServer.Transport.NETTY)
            .executor(serverExecutor)
            .serverInterceptors(new SentryServerInterceptor())
            .start()) {
      List<Callable<EchoReply>> tasks = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        String id = "call-" + i;
        tasks.add(() -> server.blocking().unary(request("tag:" + id)));
      }
      for (Future<EchoReply> reply : clients.invokeAll(tasks)) {
        reply.get();
      }
    } finally {
      clients.shutdownNow();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(calls);
    Set<String> seen = new HashSet<>();
    for (SentryTransaction transaction : transactions) {
      String tag = transaction.getTag("call");
      assertThat(tag).isNotNull();
      assertThat(seen.add(tag)).as("tag %s seen once", tag).isTrue();
      assertThat(transaction.getBreadcrumbs())
          .extracting(b -> b.getMessage())
          .containsExactly("crumb-" + tag);
    }
    assertThat(seen).hasSize(calls);
    // Nothing leaked into the scopes of the thread that started the server either.
    Sentry.configureScope(scope -> assertThat(scope.getTags()).isEmpty());
  }

  private static void awaitReplies(Responses responses, int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (responses.replies.size() < count && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(responses.replies).hasSizeGreaterThanOrEqualTo(count);
  }
}

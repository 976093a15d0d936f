package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static dev.sentrygrpc.CallAssertions.assertCallFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sentrygrpc.testservice.Pools;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.TraceContext;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Server cases 1 to 9 and 13 of CONFORMANCE.md, through real calls on an in-process server. */
class ServerInterceptorTest {
  static final String UNARY = "sentrygrpc.test.EchoService/Unary";
  static final String INCOMING_TRACE_ID = "2f9a3c4d5e6f40718293a4b5c6d7e8f9";
  static final String INCOMING_SPAN_ID = "a1b2c3d4e5f60718";

  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  @Test
  void unaryCallGivesExactlyOneTransaction() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server.blocking().unary(request("ok"));
    }
    sentry.settle();

    assertThat(sentry.transactions()).hasSize(1);
    SentryTransaction transaction = sentry.transactions().get(0);
    assertThat(transaction.getTransaction()).isEqualTo(UNARY);
    assertThat(sentry.json(transaction)).contains("\"transaction_info\":{\"source\":\"route\"}");
    assertThat(transaction.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    assertThat(transaction.getContexts().getTrace().getOrigin()).isEqualTo("auto.grpc.grpc.server");
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.OK);
    Map<String, Object> data = transaction.getContexts().getTrace().getData();
    assertThat(data)
        .containsEntry("rpc.system", "grpc")
        .containsEntry("rpc.service", "sentrygrpc.test.EchoService")
        .containsEntry("rpc.method", UNARY)
        .containsEntry("rpc.response.status_code", "OK")
        .containsEntry("grpc.method", "/" + UNARY)
        .containsEntry("grpc.service", "sentrygrpc.test.EchoService")
        .containsEntry("grpc.method_type", "UNARY")
        .containsEntry("grpc.messages.received", 1)
        .containsEntry("grpc.messages.sent", 1);
    assertThat(((Number) data.get("rpc.grpc.status_code")).intValue()).isZero();
    assertThat(((Number) data.get("grpc.statuscode")).intValue()).isZero();
    assertThat(data).doesNotContainKey("grpc.status_description");
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void handlerSpansAreChildrenOfTheServerTransactionOnADirectExecutor() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server.blocking().unary(request("span"));
    }
    assertHandlerSpanIsChild(sentry.awaitTransactions(1).get(0));
  }

  @Test
  void handlerSpansAreChildrenOfTheServerTransactionOnAThreadPool() throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (TestServer server =
        TestServer.builder().serverInterceptors(new SentryServerInterceptor()).executor(pool).start()) {
      for (int i = 0; i < 20; i++) {
        server.blocking().unary(request("span"));
      }
    } finally {
      Pools.drain(pool);
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(20);
    for (SentryTransaction transaction : transactions) {
      assertHandlerSpanIsChild(transaction);
    }
  }

  private static void assertHandlerSpanIsChild(SentryTransaction transaction) {
    assertThat(transaction.getSpans()).hasSize(1);
    SentrySpan span = transaction.getSpans().get(0);
    assertThat(span.getOp()).isEqualTo("db.query");
    assertThat(span.getParentSpanId()).isEqualTo(transaction.getContexts().getTrace().getSpanId());
    assertThat(span.getTraceId()).isEqualTo(transaction.getContexts().getTrace().getTraceId());
  }

  @Test
  void continuesTheIncomingTraceAndItsDynamicSamplingContext() throws Exception {
    sentry = SentryRecorder.init();
    Metadata headers = new Metadata();
    headers.put(TraceMetadata.SENTRY_TRACE, INCOMING_TRACE_ID + "-" + INCOMING_SPAN_ID + "-1");
    headers.put(
        TraceMetadata.BAGGAGE,
        "sentry-trace_id=" + INCOMING_TRACE_ID + ",sentry-public_key=callerkey,sentry-sample_rate=1");
    headers.put(TraceMetadata.BAGGAGE, "sentry-release=caller%401.0,sentry-environment=staging,vendor=x");
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server
          .blocking()
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .unary(request("ok"));
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getContexts().getTrace().getTraceId().toString()).isEqualTo(INCOMING_TRACE_ID);
    assertThat(transaction.getContexts().getTrace().getParentSpanId().toString()).isEqualTo(INCOMING_SPAN_ID);

    TraceContext dsc = sentry.traceHeaderOf(transaction);
    assertThat(dsc.getTraceId().toString()).isEqualTo(INCOMING_TRACE_ID);
    assertThat(dsc.getPublicKey()).isEqualTo("callerkey");
    assertThat(dsc.getRelease()).isEqualTo("caller@1.0");
    assertThat(dsc.getEnvironment()).isEqualTo("staging");
  }

  @Test
  void honoursTheCallersDecisionNotToSample() throws Exception {
    sentry = SentryRecorder.init();
    Metadata headers = new Metadata();
    headers.put(TraceMetadata.SENTRY_TRACE, INCOMING_TRACE_ID + "-" + INCOMING_SPAN_ID + "-0");
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server
          .blocking()
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .unary(request("ok"));
      assertThatThrownBy(
              () ->
                  server
                      .blocking()
                      .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                      .unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
    // Not sampled for performance, but the error still belongs to the caller's trace.
    assertThat(event.getContexts().getTrace().getTraceId().toString()).isEqualTo(INCOMING_TRACE_ID);
  }

  @Test
  void honoursTheCallersDecisionToSampleOverALowerLocalRate() throws Exception {
    // Tracing on, but this service alone would sample nothing: the caller's "-1" decides.
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(0.0));
    Metadata headers = new Metadata();
    headers.put(TraceMetadata.SENTRY_TRACE, INCOMING_TRACE_ID + "-" + INCOMING_SPAN_ID + "-1");
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server
          .blocking()
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .unary(request("ok"));
      server.blocking().unary(request("ok")); // no caller decision: the local rate, 0.0
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(1);
    assertThat(transaction.getContexts().getTrace().getTraceId().toString())
        .isEqualTo(INCOMING_TRACE_ID);
    assertThat(transaction.getContexts().getTrace().getParentSpanId().toString())
        .isEqualTo(INCOMING_SPAN_ID);
  }

  @Test
  void errorsCarryTheCallersTraceWhenTracingIsOff() throws Exception {
    sentry = SentryRecorder.init(options -> {});
    Metadata headers = new Metadata();
    headers.put(TraceMetadata.SENTRY_TRACE, INCOMING_TRACE_ID + "-" + INCOMING_SPAN_ID + "-1");
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(
              () ->
                  server
                      .blocking()
                      .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                      .unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    assertThat(event.getContexts().getTrace().getTraceId().toString()).isEqualTo(INCOMING_TRACE_ID);
    assertThat(sentry.transactions()).isEmpty();
  }

  @Test
  void callsWithoutIncomingTraceEachGetANewTrace() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server.blocking().unary(request("ok"));
      server.blocking().unary(request("ok"));
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(2);
    assertThat(transactions.get(0).getContexts().getTrace().getTraceId())
        .isNotEqualTo(transactions.get(1).getContexts().getTrace().getTraceId());
  }

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void everyStatusCodeMapsToItsSpanStatusAndData(Status.Code code) throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      if (code == Status.Code.OK) {
        server.blocking().unary(request("ok"));
      } else {
        assertCallFailsWith(code, () -> server.blocking().unary(request("status:" + code.name())));
      }
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    SpanStatus expected =
        code == Status.Code.INTERNAL ? SpanStatus.INTERNAL_ERROR : SpanStatus.valueOf(code.name());
    assertThat(transaction.getStatus()).isEqualTo(expected);
    Map<String, Object> data = transaction.getContexts().getTrace().getData();
    assertThat(data).containsEntry("rpc.response.status_code", code.name());
    assertThat(((Number) data.get("rpc.grpc.status_code")).intValue()).isEqualTo(code.value());
    assertThat(((Number) data.get("grpc.statuscode")).intValue()).isEqualTo(code.value());
    if (code != Status.Code.OK) {
      assertThat(data).containsEntry("grpc.status_description", "on purpose");
    }
    // A status without a cause is an outcome the handler chose, never an error event.
    sentry.settle();
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void expectedStatusWithACauseGivesNoEventByDefault() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(() -> server.blocking().unary(request("cause:NOT_FOUND")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void uncaughtExceptionInAUnaryHandlerIsOneEventLinkedToTheTransaction() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertCallFailsWith(Status.Code.UNKNOWN, () -> server.blocking().unary(request("throw")));
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions()).hasSize(1);
    assertThat(event.getExceptions().get(0).getType()).isEqualTo("IllegalStateException");
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getExceptions().get(0).getMechanism().isHandled()).isFalse();
    assertThat(event.getContexts().getTrace().getTraceId())
        .isEqualTo(transaction.getContexts().getTrace().getTraceId());
    assertThat(event.getContexts().getTrace().getSpanId())
        .isEqualTo(transaction.getContexts().getTrace().getSpanId());
    assertThat(event.getTransaction()).isEqualTo(UNARY);
    // The status the client saw, on the transaction and in the event's grpc context.
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.UNKNOWN);
    assertThat(grpcContextOf(event))
        .containsEntry("method", UNARY)
        .containsEntry("status_code", "UNKNOWN");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> grpcContextOf(SentryEvent event) {
    Object grpc = event.getContexts().get("grpc");
    assertThat(grpc).isInstanceOf(Map.class);
    return (Map<String, Object>) grpc;
  }

  @Test
  void withoutRethrowTheClientSeesInternalAndNothingIsRethrown() throws Exception {
    sentry = SentryRecorder.init();
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    ServerInterceptor outer = catching(escaped);
    try (TestServer server =
        TestServer.start(
            new SentryServerInterceptor(SentryGrpcOptions.builder().rethrow(false).build()), outer)) {
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                assertThat(e.getStatus().getDescription()).isEqualTo("internal server error");
              });
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(grpcContextOf(event))
        .containsEntry("status_code", "INTERNAL")
        .containsEntry("status_description", "internal server error");
    assertThat(escaped).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = {"INVALID_ARGUMENT", "INTERNAL"})
  void anExceptionStatusMappingGivesTheStatusAnOuterTranslatorAnswers(Status.Code mapped)
      throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().exceptionStatus(t -> Status.fromCode(mapped)).build();
    // Like Spring gRPC's exception handling: outside Sentry, it turns exceptions into statuses.
    try (TestServer server =
        TestServer.start(new SentryServerInterceptor(options), translating(mapped))) {
      assertCallFailsWith(mapped, () -> server.blocking().unary(request("throw")));
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(transaction.getStatus()).isEqualTo(SpanStatuses.of(mapped));
    // Only a mapping to a captured code (INTERNAL by default) is an error worth an event.
    assertThat(sentry.events()).hasSize(mapped == Status.Code.INTERNAL ? 1 : 0);
  }

  @Test
  void withoutRethrowTheExceptionStatusMappingAnswersTheClient() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .rethrow(false)
            .exceptionStatus(
                t -> t instanceof IllegalStateException ? Status.FAILED_PRECONDITION.withDescription("not now") : null)
            .build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getDescription()).isEqualTo("not now"));
    }
    assertThat(sentry.awaitTransactions(1).get(0).getStatus()).isEqualTo(SpanStatus.FAILED_PRECONDITION);
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = {"INVALID_ARGUMENT", "INTERNAL"})
  void anExceptionPassedToOnErrorIsMappedLikeAThrownOne(Status.Code mapped) throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .exceptionStatus(t -> t instanceof IllegalArgumentException ? Status.fromCode(mapped) : null)
            .build();
    try (TestServer server =
        TestServer.start(new SentryServerInterceptor(options), translatingOnClose(mapped))) {
      assertCallFailsWith(mapped, () -> server.blocking().unary(request("plain-on-error")));
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(transaction.getStatus()).isEqualTo(SpanStatuses.of(mapped));
    assertThat(sentry.events()).hasSize(mapped == Status.Code.INTERNAL ? 1 : 0);
  }

  /** An outer interceptor that maps UNKNOWN-with-a-cause on close, as Spring gRPC does. */
  static ServerInterceptor translatingOnClose(Status.Code code) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(
            new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                boolean translate = status.getCode() == Status.Code.UNKNOWN && status.getCause() != null;
                super.close(translate ? Status.fromCode(code) : status, trailers);
              }
            },
            headers);
      }
    };
  }

  /** An outer interceptor that answers the client with a status when a handler throws. */
  static ServerInterceptor translating(Status.Code code) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
            next.startCall(call, headers)) {
          @Override
          public void onHalfClose() {
            try {
              super.onHalfClose();
            } catch (RuntimeException e) {
              call.close(Status.fromCode(code).withDescription("translated"), new Metadata());
            }
          }
        };
      }
    };
  }

  @Test
  void exceptionsThrownInOnMessageOfABidiStreamAreCapturedOnce() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests = server.async().bidi(responses);
      requests.onNext(request("ok"));
      requests.onNext(request("throw"));
      responses.await();
      assertThat(responses.status().getCode()).isEqualTo(Status.Code.UNKNOWN);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("handler failed");
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.UNKNOWN);
  }

  @Test
  void exceptionsThrownInOnReadyAreCapturedOnce() throws Exception {
    sentry = SentryRecorder.init();
    EchoService service = new EchoService();
    service.throwOnReady = true;
    try (TestServer server =
        TestServer.builder().service(service).serverInterceptors(new SentryServerInterceptor()).start()) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests = server.async().bidi(responses);
      requests.onNext(request("ok"));
      responses.await();
      assertThat(responses.status().getCode()).isEqualTo(Status.Code.UNKNOWN);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("thrown in onReady");
  }

  @Test
  void onErrorWithACauseAndACapturedCodeGivesOneEventForTheCause() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(() -> server.blocking().unary(request("cause:INTERNAL")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions().get(0).getType()).isEqualTo("IOException");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("disk on fire");
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
  }

  @Test
  void anExceptionPassedToCloseAndThrownIsCapturedOnce() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(() -> server.blocking().unary(request("cause-and-throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    sentry.awaitEvents(1);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
  }

  @Test
  void capturedStatusCodesAreConfigurable() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedStatusCodes(Status.Code.NOT_FOUND).build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      assertThatThrownBy(() -> server.blocking().unary(request("cause:NOT_FOUND")))
          .isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(() -> server.blocking().unary(request("cause:INTERNAL")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    sentry.awaitTransactions(2);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(sentry.events().get(0).getContexts().get("grpc").toString()).contains("NOT_FOUND");
  }

  @Test
  void streamingCallsGiveOneTransactionEachWithMessageCounts() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      Iterator<EchoReply> replies =
          server.blocking().serverStream(EchoRequest.newBuilder().setMessage("ok").setCount(10_000).build());
      int received = 0;
      while (replies.hasNext()) {
        replies.next();
        received++;
      }
      assertThat(received).isEqualTo(10_000);

      Responses clientStream = new Responses();
      StreamObserver<EchoRequest> uploads = server.async().clientStream(clientStream);
      for (int i = 0; i < 50; i++) {
        uploads.onNext(request("ok"));
      }
      uploads.onCompleted();
      clientStream.await();

      Responses bidi = new Responses();
      StreamObserver<EchoRequest> conversation = server.async().bidi(bidi);
      for (int i = 0; i < 5; i++) {
        conversation.onNext(request("ok"));
      }
      conversation.onCompleted();
      bidi.await();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(3);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(3);
    assertThat(dataOf(transactions, "sentrygrpc.test.EchoService/ServerStream"))
        .containsEntry("grpc.method_type", "SERVER_STREAMING")
        .containsEntry("grpc.messages.received", 1)
        .containsEntry("grpc.messages.sent", 10_000);
    assertThat(dataOf(transactions, "sentrygrpc.test.EchoService/ClientStream"))
        .containsEntry("grpc.method_type", "CLIENT_STREAMING")
        .containsEntry("grpc.messages.received", 50)
        .containsEntry("grpc.messages.sent", 1);
    assertThat(dataOf(transactions, "sentrygrpc.test.EchoService/Bidi"))
        .containsEntry("grpc.method_type", "BIDI_STREAMING")
        .containsEntry("grpc.messages.received", 5)
        .containsEntry("grpc.messages.sent", 5);
    for (SentryTransaction transaction : transactions) {
      // Counters, never a span or an event per message.
      assertThat(transaction.getSpans()).isEmpty();
      assertThat(transaction.getStatus()).isEqualTo(SpanStatus.OK);
    }
  }

  @Test
  void streamingCallsCanBeLeftUntracedButStillCaptureErrors() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options = SentryGrpcOptions.builder().traceStreamingCalls(false).build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests = server.async().bidi(responses);
      requests.onNext(request("throw"));
      responses.await();
      server.blocking().unary(request("ok"));
    }
    sentry.awaitEvents(1);
    sentry.awaitTransactions(1);
    sentry.settle();
    assertThat(SentryRecorder.names(sentry.transactions())).containsExactly(UNARY);
  }

  static Map<String, Object> dataOf(List<SentryTransaction> transactions, String name) {
    for (SentryTransaction transaction : transactions) {
      if (name.equals(transaction.getTransaction())) {
        return transaction.getContexts().getTrace().getData();
      }
    }
    throw new AssertionError("no transaction " + name + " in " + SentryRecorder.names(transactions));
  }

  /** An outer interceptor that records anything thrown out of the inner ones. */
  static ServerInterceptor catching(List<Throwable> escaped) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
            next.startCall(call, headers)) {
          @Override
          public void onHalfClose() {
            try {
              super.onHalfClose();
            } catch (RuntimeException e) {
              escaped.add(e);
              throw e;
            }
          }
        };
      }
    };
  }
}

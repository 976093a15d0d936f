package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static dev.sentrygrpc.CallAssertions.assertCallFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sentrygrpc.testservice.Pools;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sentry.Breadcrumb;
import io.sentry.CompositePerformanceCollector;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.PerformanceCollectionData;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.SpanStatus;
import io.sentry.TracesSamplingDecision;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client cases 20 to 27 of CONFORMANCE.md, through real calls with the generated stubs: what Sentry
 * would receive, and what the server received.
 */
class ClientInterceptorTest {
  static final String UNARY = "sentrygrpc.test.EchoService/Unary";
  static final String SERVICE = "sentrygrpc.test.EchoService";
  static final String CLIENT_OP = "grpc.client";
  static final String CLIENT_ORIGIN = "auto.grpc.grpc.client";

  // The wire names, spelled out here rather than taken from the code under test.
  static final Metadata.Key<String> SENTRY_TRACE = key("sentry-trace");
  static final Metadata.Key<String> BAGGAGE = key("baggage");
  static final Metadata.Key<String> TRACEPARENT = key("traceparent");
  static final Metadata.Key<String> REQUEST_SOURCE = key("x-request-source");

  static final String STALE_TRACE_ID = "0123456789abcdef0123456789abcdef";
  static final String STALE_SPAN_ID = "0123456789abcdef";

  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  // ---------------------------------------------------------------- 20: span and headers

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void aUnaryCallInsideATransactionIsOneChildSpan(TestServer.Transport transport) throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    int port;
    try (TestServer server = clientAndServer(transport, serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      port = server.server.getPort();
      assertThat(server.blocking().unary(request("ok")).getMessage()).isEqualTo("ok");
      caller.finish();
    }

    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(1);
    SentrySpan span = onlyClientSpan(transaction);
    assertThat(span.getOp()).isEqualTo(CLIENT_OP);
    assertThat(span.getDescription()).isEqualTo(UNARY);
    assertThat(span.getOrigin()).isEqualTo(CLIENT_ORIGIN);
    assertThat(span.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(span.getTimestamp()).as("finished").isNotNull();
    assertThat(span.getParentSpanId()).isEqualTo(transaction.getContexts().getTrace().getSpanId());
    assertThat(span.getTraceId()).isEqualTo(transaction.getContexts().getTrace().getTraceId());
    Map<String, Object> data = span.getData();
    assertThat(data)
        .containsEntry("rpc.system", "grpc")
        .containsEntry("rpc.service", SERVICE)
        .containsEntry("rpc.method", UNARY)
        .containsEntry("grpc.method", "/" + UNARY)
        .containsEntry("grpc.method_type", "UNARY")
        .containsEntry("rpc.response.status_code", "OK");
    assertThat(((Number) data.get("rpc.grpc.status_code")).intValue()).isZero();
    assertThat(((Number) data.get("grpc.messages.sent")).intValue()).isEqualTo(1);
    assertThat(((Number) data.get("grpc.messages.received")).intValue()).isEqualTo(1);
    if (transport == TestServer.Transport.NETTY) {
      assertThat(data).containsEntry("server.address", "127.0.0.1");
      assertThat(((Number) data.get("server.port")).intValue()).isEqualTo(port);
    }

    // The server was told about the span, not only the transaction.
    Metadata received = serverSide.only();
    assertThat(all(received, SENTRY_TRACE))
        .containsExactly(span.getTraceId() + "-" + span.getSpanId() + "-1");
    assertThat(baggageMembers(received)).contains("sentry-trace_id=" + span.getTraceId());
  }

  @Test
  void aTransactionMadeCurrentIsTheParentToo() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.withoutTransaction()) {
      ITransaction transaction = Sentry.startTransaction("made-current", "task");
      transaction.makeCurrent();
      server.blocking().unary(request("ok"));
      transaction.finish();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getTransaction()).isEqualTo("made-current");
    assertThat(onlyClientSpan(transaction).getParentSpanId())
        .isEqualTo(transaction.getContexts().getTrace().getSpanId());
  }

  @Test
  void outsideATransactionThereIsNoSpanButTheHeadersCarryTheCallersTrace() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    String traceparent;
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.withoutTransaction()) {
      traceparent = Sentry.getTraceparent().getValue();
      server.blocking().unary(request("ok"));
      Sentry.captureMessage("after the call");
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();

    String traceId = event.getContexts().getTrace().getTraceId().toString();
    Metadata received = serverSide.only();
    assertThat(all(received, SENTRY_TRACE)).containsExactly(traceparent);
    assertThat(traceparent).startsWith(traceId + "-");
    assertThat(all(received, BAGGAGE)).hasSize(1);
    assertThat(baggageMembers(received)).contains("sentry-trace_id=" + traceId);
  }

  @Test
  void withTracingOffTheHeadersStillGoOut() throws Exception {
    // Tracing without performance: no tracesSampleRate, so no transaction and no span.
    sentry = SentryRecorder.init(options -> {});
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      Sentry.captureMessage("after the call");
      caller.finish();
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
    String traceId = event.getContexts().getTrace().getTraceId().toString();
    assertThat(all(serverSide.only(), SENTRY_TRACE))
        .singleElement()
        .asString()
        .startsWith(traceId + "-");
    assertThat(baggageMembers(serverSide.only())).contains("sentry-trace_id=" + traceId);
  }

  @Test
  void anUnsampledCallerTellsTheServerNotToSample() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    SentryId traceId;
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller =
            Caller.in(
                new TransactionContext("caller", "task", new TracesSamplingDecision(false)))) {
      traceId = caller.transaction.getSpanContext().getTraceId();
      server.blocking().unary(request("ok"));
      caller.finish();
    }
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
    String sentryTrace = serverSide.only().get(SENTRY_TRACE);
    assertThat(sentryTrace).startsWith(traceId + "-").endsWith("-0");
    assertThat(baggageMembers(serverSide.only())).contains("sentry-sampled=false");
  }

  // ---------------------------------------------------------------- 21: outgoing metadata

  @Test
  void outgoingMetadataHasOneSentryTraceAndOneMergedBaggage() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    Metadata attached = new Metadata();
    attached.put(REQUEST_SOURCE, "batch-job");
    attached.put(SENTRY_TRACE, STALE_TRACE_ID + "-" + STALE_SPAN_ID + "-1");
    attached.put(
        BAGGAGE,
        "sentry-trace_id=" + STALE_TRACE_ID + ",vendor=abc,garbage,=x,,  ,sentry-public_key=stale");
    attached.put(BAGGAGE, "other=1;prop=2, sentry-sample_rate=0.0001");
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      server
          .blocking()
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(attached))
          .unary(request("ok"));
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));

    Metadata received = serverSide.only();
    assertThat(all(received, REQUEST_SOURCE)).containsExactly("batch-job");
    assertThat(all(received, SENTRY_TRACE))
        .containsExactly(span.getTraceId() + "-" + span.getSpanId() + "-1");
    assertThat(all(received, BAGGAGE)).hasSize(1);
    List<String> members = baggageMembers(received);
    assertThat(members)
        .contains(
            "vendor=abc",
            "other=1;prop=2",
            "sentry-public_key=" + publicKey(),
            "sentry-sample_rate=1")
        .doesNotContain(
            "garbage", "=x", "", "sentry-public_key=stale", "sentry-sample_rate=0.0001");
    assertThat(members)
        .filteredOn(m -> m.startsWith("sentry-trace_id="))
        .containsExactly("sentry-trace_id=" + span.getTraceId());
    assertThat(String.join(",", members)).doesNotContain(STALE_TRACE_ID);
  }

  @Test
  void garbageInTheCallersBaggageNeverFailsTheCallNorCrowdsOutSentrysMembers() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      many.append(i == 0 ? "" : ",").append("k").append(i).append("=v").append(i);
    }
    char[] huge = new char[9000];
    Arrays.fill(huge, 'x');
    Metadata attached = new Metadata();
    attached.put(BAGGAGE, "garbage,,=x, ;;, sentry-release=%zz, sp ace=1, k\u00e9y=v, tab=\t");
    attached.put(BAGGAGE, many.toString());
    attached.put(BAGGAGE, "huge=" + new String(huge));
    attached.put(BAGGAGE, "vendor=abc");
    SentryId traceId;
    try (TestServer server =
            clientAndServer(TestServer.Transport.NETTY, serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      traceId = caller.transaction.getSpanContext().getTraceId();
      EchoReply reply =
          server
              .blocking()
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(attached))
              .unary(request("ok"));
      assertThat(reply.getMessage()).isEqualTo("ok");
      caller.finish();
    }
    assertThat(onlyClientSpan(sentry.awaitTransactions(1).get(0)).getStatus())
        .isEqualTo(SpanStatus.OK);

    Metadata received = serverSide.only();
    assertThat(all(received, BAGGAGE)).hasSize(1);
    String baggage = received.get(BAGGAGE);
    // The limits the SDK and the W3C spec set for one baggage header.
    assertThat(baggage.length()).isLessThanOrEqualTo(8192);
    List<String> members = baggageMembers(received);
    assertThat(members.size()).isLessThanOrEqualTo(64);
    assertThat(members)
        .contains("sentry-trace_id=" + traceId, "sentry-public_key=" + publicKey(), "k1=v1");
    assertThat(members).doesNotContain("garbage", "=x", "").noneMatch(m -> m.contains("%zz"));
    for (String member : members) {
      assertThat(member.chars().allMatch(c -> c > 0x20 && c < 0x7f)).as(member).isTrue();
    }
  }

  // ---------------------------------------------------------------- 22, 23: which headers

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void traceparentIsSentOnlyWhenPropagateTraceparentIsOn(boolean propagateTraceparent)
      throws Exception {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setPropagateTraceparent(propagateTraceparent);
            });
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    Metadata received = serverSide.only();
    if (propagateTraceparent) {
      assertThat(all(received, TRACEPARENT))
          .containsExactly("00-" + span.getTraceId() + "-" + span.getSpanId() + "-01");
    } else {
      assertThat(all(received, TRACEPARENT)).isEmpty();
    }
    assertThat(all(received, SENTRY_TRACE)).hasSize(1);
  }

  static Stream<Arguments> propagationTargets() {
    return Stream.of(
        Arguments.of(Arrays.asList("other-host"), false),
        Arguments.of(Collections.emptyList(), false),
        Arguments.of(Arrays.asList("other-host", "EchoService/Unary"), true),
        Arguments.of(Arrays.asList(".*EchoService/Un[a-z]+"), true));
  }

  @ParameterizedTest
  @MethodSource("propagationTargets")
  void tracePropagationTargetsDecideWhichCallsCarryTheHeaders(
      List<String> targets, boolean injected) throws Exception {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setPropagateTraceparent(true);
              options.setTracePropagationTargets(targets);
            });
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      caller.finish();
    }
    // The targets decide the headers only: the call is still a span.
    onlyClientSpan(sentry.awaitTransactions(1).get(0));
    Metadata received = serverSide.only();
    assertThat(all(received, SENTRY_TRACE)).hasSize(injected ? 1 : 0);
    assertThat(all(received, BAGGAGE)).hasSize(injected ? 1 : 0);
    assertThat(all(received, TRACEPARENT)).hasSize(injected ? 1 : 0);
  }

  // ---------------------------------------------------------------- 24: status and events

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = "OK", mode = EnumSource.Mode.EXCLUDE)
  void aNonOkStatusSetsTheSpanStatusWithoutAnEvent(Status.Code code) throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      assertCallFailsWith(code, () -> server.blocking().unary(request("status:" + code.name())));
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    SpanStatus expected =
        code == Status.Code.INTERNAL ? SpanStatus.INTERNAL_ERROR : SpanStatus.valueOf(code.name());
    assertThat(span.getStatus()).isEqualTo(expected);
    assertThat(span.getData())
        .containsEntry("rpc.response.status_code", code.name())
        .containsEntry("grpc.status_description", "on purpose");
    assertThat(((Number) span.getData().get("rpc.grpc.status_code")).intValue())
        .isEqualTo(code.value());
    sentry.settle();
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void anOptedInStatusCodeGivesOneEvent() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.NOT_FOUND).build();
    SentryId traceId;
    try (TestServer server =
            clientAndServer(new ServerSide(), new SentryClientInterceptor(options));
        Caller caller = Caller.inTransaction()) {
      traceId = caller.transaction.getSpanContext().getTraceId();
      assertThatThrownBy(() -> server.blocking().unary(request("status:NOT_FOUND")))
          .isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(() -> server.blocking().unary(request("status:INTERNAL")))
          .isInstanceOf(StatusRuntimeException.class);
      caller.finish();
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.awaitTransactions(1);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions()).hasSize(1);
    assertThat(event.getExceptions().get(0).getType()).isEqualTo("StatusRuntimeException");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("NOT_FOUND: on purpose");
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo(CLIENT_OP);
    assertThat(event.getExceptions().get(0).getMechanism().isHandled()).isTrue();
    assertThat(event.getContexts().getTrace().getTraceId()).isEqualTo(traceId);
    assertThat(event.getContexts().get("grpc.client").toString())
        .contains("sentrygrpc.test.EchoService/Unary")
        .contains("NOT_FOUND");
  }

  enum DeadlineSource {
    CALL_OPTIONS,
    CONTEXT
  }

  @ParameterizedTest
  @EnumSource(DeadlineSource.class)
  void anExpiredDeadlineFinishesTheSpanDeadlineExceeded(DeadlineSource source) throws Exception {
    sentry = SentryRecorder.init();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      if (source == DeadlineSource.CALL_OPTIONS) {
        assertDeadlineExceeded(
            () ->
                server
                    .blocking()
                    .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                    .unary(request("hang")));
      } else {
        // A deadline inherited from the caller's Context, as inside a server handler whose own
        // call has a deadline.
        Context.CancellableContext context =
            Context.current().withDeadlineAfter(100, TimeUnit.MILLISECONDS, timer);
        try {
          context.run(() -> assertDeadlineExceeded(() -> server.blocking().unary(request("hang"))));
        } finally {
          context.cancel(null);
        }
      }
      caller.finish();
    } finally {
      timer.shutdownNow();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    assertThat(span.getStatus()).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
    assertThat(span.getData()).containsKey("grpc.deadline.remaining_ms");
    // What was left when the call started: never more than the deadline given (it can be below
    // zero on a slow machine, which is fine).
    assertThat(((Number) span.getData().get("grpc.deadline.remaining_ms")).longValue())
        .isLessThanOrEqualTo(100L);
  }

  private static void assertDeadlineExceeded(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  // ---------------------------------------------------------------- 25: streaming lifecycle

  @Test
  void halfCloseAloneDoesNotFinishAStreamingSpanTheFinalStatusDoes() throws Exception {
    SpanCollector spans = new SpanCollector();
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setCompositePerformanceCollector(spans);
            });
    HoldingService service = new HoldingService();
    try (OwnServer server = OwnServer.start(service, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests =
          EchoServiceGrpc.newStub(server.channel).bidi(responses);
      requests.onNext(request("one"));
      requests.onCompleted();
      service.awaitHalfClose();

      ISpan open = spans.onlyClientSpan();
      assertThat(open.isFinished()).as("span after the client's half-close").isFalse();

      // The server goes on answering after the client's half-close, then ends the call.
      service.complete(2);
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
      assertThat(responses.replies).hasSize(3);
      assertThat(open.isFinished()).as("span after the final status").isTrue();
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    assertThat(span.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(span.getData()).containsEntry("grpc.method_type", "BIDI_STREAMING");
    // Counted up to the final status: the two replies sent after the half-close are in.
    assertThat(((Number) span.getData().get("grpc.messages.received")).intValue()).isEqualTo(3);
    assertThat(((Number) span.getData().get("grpc.messages.sent")).intValue()).isEqualTo(1);
  }

  @Test
  void messagesSentUpToTheServersCloseAreCounted() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> requests = server.async().bidi(responses);
      requests.onNext(request("ok"));
      // The server closes the call as this message arrives: with direct executors, that is
      // before sendMessage returns.
      requests.onNext(request("status:NOT_FOUND"));
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    assertThat(span.getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(((Number) span.getData().get("grpc.messages.sent")).intValue()).isEqualTo(2);
    assertThat(((Number) span.getData().get("grpc.messages.received")).intValue()).isEqualTo(1);
  }

  @Test
  void cancelFinishesTheStreamingSpanCancelled() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      Responses responses = new Responses();
      server.async().serverStream(request("hang"), responses);
      serverSide.awaitHalfCloses(1);
      responses.requests.cancel("the user gave up", null);
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(server.service.cancelled.await(10, TimeUnit.SECONDS))
          .as("server saw the cancel")
          .isTrue();
      Sentry.captureMessage("after the call");
      caller.finish();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    assertThat(span.getTimestamp()).as("finished").isNotNull();
    assertThat(span.getStatus()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(span.getData()).containsEntry("rpc.response.status_code", "CANCELLED");
    assertThat(grpcBreadcrumbs(sentry.awaitEvents(1).get(0)))
        .singleElement()
        .satisfies(b -> assertThat(b.getData("status_code")).isEqualTo("CANCELLED"));
  }

  @Test
  void racingTerminalSignalsFinishTheSpanExactlyOnce() throws Exception {
    sentry = SentryRecorder.init();
    int calls = 20;
    int cancellers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(cancellers);
    try {
      for (int i = 0; i < calls; i++) {
        HoldingService service = new HoldingService();
        try (OwnServer server = OwnServer.start(service, new SentryClientInterceptor());
            Caller caller = Caller.inTransaction()) {
          Responses responses = new Responses();
          StreamObserver<EchoRequest> requests =
              EchoServiceGrpc.newStub(server.channel).bidi(responses);
          requests.onNext(request("one"));
          requests.onCompleted();
          service.awaitHalfClose();

          CyclicBarrier barrier = new CyclicBarrier(cancellers + 1);
          List<Future<?>> cancels = new ArrayList<>();
          for (int c = 0; c < cancellers; c++) {
            cancels.add(
                pool.submit(
                    () -> {
                      barrier.await(10, TimeUnit.SECONDS);
                      responses.requests.cancel("racing", null);
                      return null;
                    }));
          }
          barrier.await(10, TimeUnit.SECONDS);
          service.completeIfStillOpen();
          for (Future<?> cancel : cancels) {
            cancel.get(10, TimeUnit.SECONDS);
          }
          responses.await();
          Sentry.captureMessage("after call " + i);
          caller.finish();
        }
      }
    } finally {
      Pools.drain(pool);
    }

    List<SentryEvent> events = sentry.awaitEvents(calls);
    List<SentryTransaction> transactions = sentry.awaitTransactions(calls);
    sentry.settle();
    assertThat(sentry.events()).hasSize(calls);
    for (SentryEvent event : events) {
      assertThat(grpcBreadcrumbs(event)).as("breadcrumbs of one call").hasSize(1);
    }
    for (SentryTransaction transaction : transactions) {
      SentrySpan span = onlyClientSpan(transaction);
      assertThat(span.getTimestamp()).as("finished").isNotNull();
      assertThat(span.getStatus()).isIn(SpanStatus.OK, SpanStatus.CANCELLED);
      String expectedCode = span.getStatus() == SpanStatus.OK ? "OK" : "CANCELLED";
      assertThat(span.getData()).containsEntry("rpc.response.status_code", expectedCode);
    }
  }

  @Test
  void cancelBeforeStartLeaksNothing() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      ClientCall<EchoRequest, EchoReply> call =
          server.channel.newCall(EchoServiceGrpc.getUnaryMethod(), CallOptions.DEFAULT);
      call.cancel("not needed after all", null);
      Sentry.captureMessage("after the cancel");
      caller.finish();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getSpans()).isEmpty();
    assertThat(grpcBreadcrumbs(sentry.awaitEvents(1).get(0))).isEmpty();
    assertThat(serverSide.headers).isEmpty();
  }

  @Test
  void aCallStartedAfterItsCancelIsNoSpan() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    Responses responses = new Responses();
    Throwable thrown;
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      ClientCall<EchoRequest, EchoReply> call =
          server.channel.newCall(EchoServiceGrpc.getUnaryMethod(), CallOptions.DEFAULT);
      call.cancel("not needed after all", null);
      thrown = catchThrowable(() -> call.start(responses.asListener(), new Metadata()));
      caller.finish();
    }
    // grpc-java itself refuses to start a cancelled call; whatever it does, the call never
    // existed for Sentry.
    if (thrown == null) {
      assertThat(responses.await().getCode()).isEqualTo(Status.Code.CANCELLED);
    } else {
      assertThat(thrown)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cancelled");
    }
    assertThat(sentry.awaitTransactions(1).get(0).getSpans()).isEmpty();
    assertThat(serverSide.headers).isEmpty();
  }

  @Test
  void aCancelThatRacesStartStillFinishesTheSpan() throws Exception {
    SpanCollector spans = new SpanCollector();
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setCompositePerformanceCollector(spans);
            });
    Responses responses = new Responses();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      ClientCall<EchoRequest, EchoReply> call =
          server.channel.newCall(EchoServiceGrpc.getUnaryMethod(), CallOptions.DEFAULT);
      // Another thread cancels the call at the worst moment: while start is opening its span.
      spans.whenClientSpanStarts(
          () -> {
            try {
              other.submit(() -> call.cancel("raced start", null)).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      catchThrowable(() -> call.start(responses.asListener(), new Metadata()));
      caller.finish();
    } finally {
      other.shutdownNow();
    }
    SentrySpan span = onlyClientSpan(sentry.awaitTransactions(1).get(0));
    assertThat(span.getTimestamp()).as("finished").isNotNull();
    assertThat(span.getStatus()).isEqualTo(SpanStatus.CANCELLED);
  }

  // ---------------------------------------------------------------- 26: the caller's scopes

  @Test
  void theCallersListenerRunsInTheCallersScopes() throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    AtomicReference<IScopes> scopesInOnNext = new AtomicReference<>();
    AtomicReference<ISpan> spanInOnNext = new AtomicReference<>();
    AtomicReference<ISpan> spanInOnCompleted = new AtomicReference<>();
    AtomicReference<Thread> callbackThread = new AtomicReference<>();
    IScopes callerScopes;
    ITransaction callerTransaction;
    IScopes afterwards;
    try (TestServer server = TestServer.builder().transport(TestServer.Transport.NETTY).start();
        Caller caller = Caller.inTransaction()) {
      callerScopes = caller.scopes;
      callerTransaction = caller.transaction;
      Sentry.setTag("caller", "me");
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.server.getPort())
              .usePlaintext()
              .executor(callbacks)
              .intercept(new SentryClientInterceptor())
              .build();
      try {
        Responses responses =
            new Responses() {
              @Override
              public void onNext(EchoReply reply) {
                callbackThread.set(Thread.currentThread());
                scopesInOnNext.set(Sentry.getCurrentScopes());
                spanInOnNext.set(Sentry.getSpan());
                super.onNext(reply);
              }

              @Override
              public void onCompleted() {
                spanInOnCompleted.set(Sentry.getSpan());
                Sentry.captureMessage("in onCompleted");
                super.onCompleted();
              }
            };
        EchoServiceGrpc.newStub(channel)
            .serverStream(EchoRequest.newBuilder().setMessage("ok").setCount(3).build(), responses);
        assertThat(responses.await().getCode()).isEqualTo(Status.Code.OK);
        // The executor's thread is back in its own scopes once the callbacks are done.
        // A Callable on purpose: newer SDKs overload getCurrentScopes, so the bare method
        // reference is ambiguous between submit(Callable) and submit(Runnable).
        afterwards =
            callbacks
                .submit((Callable<IScopes>) Sentry::getCurrentScopes)
                .get(10, TimeUnit.SECONDS);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      caller.finish();
    } finally {
      callbacks.shutdownNow();
    }

    assertThat(callbackThread.get()).isNotSameAs(Thread.currentThread());
    assertThat(scopesInOnNext.get()).isSameAs(callerScopes);
    assertThat(spanInOnNext.get()).isNotNull();
    assertThat(spanInOnNext.get().getSpanContext().getTraceId())
        .isEqualTo(callerTransaction.getSpanContext().getTraceId());
    // The client span has finished before the caller's onClose: the caller's span is current.
    assertThat(spanInOnCompleted.get()).isSameAs(callerTransaction);
    assertThat(afterwards).isNotSameAs(callerScopes);

    SentryEvent event = sentry.awaitEvents(1).get(0);
    assertThat(event.getTag("caller")).isEqualTo("me");
    assertThat(event.getContexts().getTrace().getTraceId())
        .isEqualTo(callerTransaction.getSpanContext().getTraceId());
    assertThat(event.getContexts().getTrace().getSpanId())
        .isEqualTo(callerTransaction.getSpanContext().getSpanId());
  }

  // ---------------------------------------------------------------- 27: breadcrumbs

  @Test
  void eachFinishedCallLeavesABreadcrumbOnLaterErrors() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = clientAndServer(new ServerSide(), new SentryClientInterceptor());
        Caller caller = Caller.withoutTransaction()) {
      server.blocking().unary(request("ok"));
      assertThatThrownBy(() -> server.blocking().unary(request("status:NOT_FOUND")))
          .isInstanceOf(StatusRuntimeException.class);
      Sentry.captureException(new IllegalStateException("later"));
    }
    List<Breadcrumb> breadcrumbs = grpcBreadcrumbs(sentry.awaitEvents(1).get(0));
    assertThat(breadcrumbs).hasSize(2);
    Breadcrumb ok = breadcrumbs.get(0);
    assertThat(ok.getType()).isEqualTo("grpc");
    assertThat(ok.getCategory()).isEqualTo(CLIENT_OP);
    assertThat(ok.getLevel()).isEqualTo(SentryLevel.INFO);
    assertThat(ok.getData("method")).isEqualTo(UNARY);
    assertThat(ok.getData("status_code")).isEqualTo("OK");
    assertThat(((Number) ok.getData("duration_ms")).longValue()).isGreaterThanOrEqualTo(0L);
    Breadcrumb notFound = breadcrumbs.get(1);
    assertThat(notFound.getLevel()).isEqualTo(SentryLevel.WARNING);
    assertThat(notFound.getData("status_code")).isEqualTo("NOT_FOUND");
    assertThat(notFound.getData("status_description")).isEqualTo("on purpose");
    assertThat(notFound.getData()).containsKey("duration_ms");
  }

  @Test
  void clientBreadcrumbsCanBeTurnedOff() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options = SentryGrpcOptions.builder().clientBreadcrumbs(false).build();
    try (TestServer server =
            clientAndServer(new ServerSide(), new SentryClientInterceptor(options));
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      Sentry.captureException(new IllegalStateException("later"));
      caller.finish();
    }
    assertThat(grpcBreadcrumbs(sentry.awaitEvents(1).get(0))).isEmpty();
    // Only the breadcrumb is off: the call is still a span.
    onlyClientSpan(sentry.awaitTransactions(1).get(0));
  }

  // ---------------------------------------------------------------- what the client leaves alone

  @Test
  void ignoredMethodsGetNoSpanAndNoHeaders() throws Exception {
    sentry = SentryRecorder.init();
    ServerSide serverSide = new ServerSide();
    HealthStatusManager health = new HealthStatusManager();
    try (TestServer server =
            TestServer.builder()
                .addService(health.getHealthService())
                .serverInterceptors(serverSide)
                .clientInterceptors(new SentryClientInterceptor())
                .start();
        Caller caller = Caller.inTransaction()) {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(server.channel).check(HealthCheckRequest.getDefaultInstance());
      assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      server.blocking().unary(request("ok"));
      Sentry.captureMessage("after the calls");
      caller.finish();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(onlyClientSpan(transaction).getDescription()).isEqualTo(UNARY);
    assertThat(grpcBreadcrumbs(sentry.awaitEvents(1).get(0)))
        .extracting(b -> b.getData("method"))
        .containsExactly(UNARY);
    assertThat(serverSide.headers).hasSize(2);
    Metadata healthCheck = serverSide.headers.get(0);
    assertThat(all(healthCheck, SENTRY_TRACE)).isEmpty();
    assertThat(all(healthCheck, BAGGAGE)).isEmpty();
    assertThat(all(serverSide.headers.get(1), SENTRY_TRACE)).hasSize(1);
  }

  @Test
  void aDisabledSdkLeavesTheCallUntouched() throws Exception {
    assertThat(Sentry.isEnabled()).as("Sentry never initialised in this test").isFalse();
    SentryClientInterceptor interceptor = new SentryClientInterceptor();
    ServerSide serverSide = new ServerSide();
    Metadata attached = new Metadata();
    attached.put(SENTRY_TRACE, STALE_TRACE_ID + "-" + STALE_SPAN_ID + "-1");
    attached.put(BAGGAGE, "sentry-trace_id=" + STALE_TRACE_ID + ",garbage");
    try (TestServer server = TestServer.builder().serverInterceptors(serverSide).start()) {
      CallRecordingChannel plain = new CallRecordingChannel(server.channel);
      ClientCall<EchoRequest, EchoReply> call =
          interceptor.interceptCall(EchoServiceGrpc.getUnaryMethod(), CallOptions.DEFAULT, plain);
      assertThat(call).isSameAs(plain.last);
      call.cancel("only looked at", null);

      Channel intercepted = ClientInterceptors.intercept(server.channel, interceptor);
      EchoServiceGrpc.newBlockingStub(intercepted)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(attached))
          .unary(request("ok"));
    }
    Metadata received = serverSide.only();
    assertThat(all(received, SENTRY_TRACE))
        .containsExactly(STALE_TRACE_ID + "-" + STALE_SPAN_ID + "-1");
    assertThat(all(received, BAGGAGE))
        .containsExactly("sentry-trace_id=" + STALE_TRACE_ID + ",garbage");
  }

  @Test
  void anIgnoredSpanOriginGivesNoSpanButStillPropagatesTheCallersTrace() throws Exception {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setIgnoredSpanOrigins(Collections.singletonList(CLIENT_ORIGIN));
            });
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor());
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      caller.finish();
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getSpans()).isEmpty();
    // The next service joins the caller's transaction, the nearest span there is.
    SentryId traceId = transaction.getContexts().getTrace().getTraceId();
    Metadata received = serverSide.only();
    assertThat(all(received, SENTRY_TRACE))
        .containsExactly(traceId + "-" + transaction.getContexts().getTrace().getSpanId() + "-1");
    assertThat(baggageMembers(received)).contains("sentry-trace_id=" + traceId);
  }

  @Test
  void scopesGivenInTheOptionsAreTheCallersWhateverIsCurrent() throws Exception {
    sentry = SentryRecorder.init();
    IScopes configured = Sentry.forkedRootScopes("configured");
    TransactionOptions bound = new TransactionOptions();
    bound.setBindToScope(true);
    ITransaction job =
        configured.startTransaction(new TransactionContext("configured", "task"), bound);
    SentryGrpcOptions options = SentryGrpcOptions.builder().scopes(configured).build();
    ServerSide serverSide = new ServerSide();
    try (TestServer server = clientAndServer(serverSide, new SentryClientInterceptor(options));
        Caller caller = Caller.inTransaction()) {
      server.blocking().unary(request("ok"));
      caller.finish();
      job.finish();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(2);
    sentry.settle();
    assertThat(SentryRecorder.names(sentry.transactions()))
        .containsExactlyInAnyOrder("caller", "configured");
    // The thread's current transaction is not the parent: the configured scopes' is.
    assertThat(named(transactions, "caller").getSpans()).isEmpty();
    SentrySpan span = onlyClientSpan(named(transactions, "configured"));
    assertThat(serverSide.only().get(SENTRY_TRACE))
        .isEqualTo(span.getTraceId() + "-" + span.getSpanId() + "-1");
  }

  // ---------------------------------------------------------------- helpers

  private static TestServer clientAndServer(ServerSide serverSide, ClientInterceptor client) {
    return clientAndServer(TestServer.Transport.IN_PROCESS, serverSide, client);
  }

  private static TestServer clientAndServer(
      TestServer.Transport transport, ServerSide serverSide, ClientInterceptor client) {
    return TestServer.builder()
        .transport(transport)
        .serverInterceptors(serverSide)
        .clientInterceptors(client)
        .start();
  }

  /** The public key of the DSN the SDK runs with: the recorder's, or the HTTP receiver's. */
  private static String publicKey() {
    String dsn = Sentry.getCurrentScopes().getOptions().getDsn();
    return dsn.substring(dsn.indexOf("://") + 3, dsn.indexOf('@'));
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  private static List<String> all(Metadata metadata, Metadata.Key<String> key) {
    List<String> values = new ArrayList<>();
    Iterable<String> all = metadata.getAll(key);
    if (all != null) {
      for (String value : all) {
        values.add(value);
      }
    }
    return values;
  }

  /** Every member of every baggage value, trimmed, empty ones included. */
  private static List<String> baggageMembers(Metadata metadata) {
    List<String> members = new ArrayList<>();
    for (String value : all(metadata, BAGGAGE)) {
      for (String member : value.split(",", -1)) {
        members.add(member.trim());
      }
    }
    return members;
  }

  private static SentrySpan onlyClientSpan(SentryTransaction transaction) {
    List<SentrySpan> spans = new ArrayList<>();
    for (SentrySpan span : transaction.getSpans()) {
      if (CLIENT_OP.equals(span.getOp())) {
        spans.add(span);
      }
    }
    assertThat(spans).as("grpc.client spans of " + transaction.getTransaction()).hasSize(1);
    return spans.get(0);
  }

  private static SentryTransaction named(List<SentryTransaction> transactions, String name) {
    for (SentryTransaction transaction : transactions) {
      if (name.equals(transaction.getTransaction())) {
        return transaction;
      }
    }
    throw new AssertionError(
        "no transaction " + name + " in " + SentryRecorder.names(transactions));
  }

  private static List<Breadcrumb> grpcBreadcrumbs(SentryEvent event) {
    List<Breadcrumb> breadcrumbs = new ArrayList<>();
    if (event.getBreadcrumbs() != null) {
      for (Breadcrumb breadcrumb : event.getBreadcrumbs()) {
        if (CLIENT_OP.equals(breadcrumb.getCategory())) {
          breadcrumbs.add(breadcrumb);
        }
      }
    }
    return breadcrumbs;
  }

  /**
   * The caller: scopes of its own made current on the test thread (so tags and breadcrumbs never
   * mix between tests), optionally with a transaction bound to them.
   */
  private static final class Caller implements AutoCloseable {
    final IScopes scopes = Sentry.forkedRootScopes("client-test");
    private final ISentryLifecycleToken token = scopes.makeCurrent();
    ITransaction transaction;

    static Caller withoutTransaction() {
      return new Caller();
    }

    static Caller inTransaction() {
      return in(new TransactionContext("caller", "task"));
    }

    static Caller in(TransactionContext context) {
      Caller caller = new Caller();
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      caller.transaction = Sentry.startTransaction(context, bound);
      return caller;
    }

    void finish() {
      transaction.finish();
    }

    @Override
    public void close() {
      token.close();
    }
  }

  /** The server's view: the metadata every call arrived with, and each call's half-close. */
  private static final class ServerSide implements ServerInterceptor {
    final List<Metadata> headers = new CopyOnWriteArrayList<>();
    private final Semaphore halfCloses = new Semaphore(0);

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata metadata, ServerCallHandler<ReqT, RespT> next) {
      Metadata copy = new Metadata();
      copy.merge(metadata);
      headers.add(copy);
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
          next.startCall(call, metadata)) {
        @Override
        public void onHalfClose() {
          try {
            super.onHalfClose();
          } finally {
            halfCloses.release();
          }
        }
      };
    }

    Metadata only() {
      assertThat(headers).as("calls the server received").hasSize(1);
      return headers.get(0);
    }

    /** Waits until the handler has seen this many half-closes (and run on them). */
    void awaitHalfCloses(int count) throws InterruptedException {
      assertThat(halfCloses.tryAcquire(count, 10, TimeUnit.SECONDS)).as("half-closes").isTrue();
    }
  }

  /** What the caller's listener saw: replies and the final status. */
  /**
   * A bidi service that answers each message at once and, after the client's half-close, keeps the
   * call open until the test ends it: a server that goes on streaming after the client is done.
   */
  private static final class HoldingService extends EchoServiceGrpc.EchoServiceImplBase {
    private final CountDownLatch halfClosed = new CountDownLatch(1);
    private volatile ServerCallStreamObserver<EchoReply> responses;

    @Override
    public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responseObserver) {
      ServerCallStreamObserver<EchoReply> observer =
          (ServerCallStreamObserver<EchoReply>) responseObserver;
      // With a cancel handler set, grpc-java lets onCompleted on a cancelled call pass quietly:
      // the race test ends the call from both sides.
      observer.setOnCancelHandler(() -> {});
      responses = observer;
      return new StreamObserver<EchoRequest>() {
        int index;

        @Override
        public void onNext(EchoRequest request) {
          observer.onNext(reply(request.getMessage(), index++));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          halfClosed.countDown();
        }
      };
    }

    void awaitHalfClose() throws InterruptedException {
      assertThat(halfClosed.await(10, TimeUnit.SECONDS)).as("client half-closed").isTrue();
    }

    /** Sends more replies, then ends the call with OK. */
    void complete(int moreReplies) {
      for (int i = 0; i < moreReplies; i++) {
        responses.onNext(reply("later", i));
      }
      responses.onCompleted();
    }

    /** Ends the call with OK, unless the client's cancel got there first. */
    void completeIfStillOpen() {
      try {
        if (!responses.isCancelled()) {
          responses.onCompleted();
        }
      } catch (StatusRuntimeException | IllegalStateException e) {
        // Cancelled between the check and the close: the cancel won the race.
      }
    }

    private static EchoReply reply(String message, int index) {
      return EchoReply.newBuilder().setMessage(message).setIndex(index).build();
    }
  }

  /** An in-process server for a service of the test's own, and a channel to it. */
  private static final class OwnServer implements AutoCloseable {
    final Server server;
    final ManagedChannel channel;

    private OwnServer(Server server, ManagedChannel channel) {
      this.server = server;
      this.channel = channel;
    }

    static OwnServer start(BindableService service, ClientInterceptor... interceptors)
        throws IOException {
      String name = InProcessServerBuilder.generateName();
      Server server =
          InProcessServerBuilder.forName(name).addService(service).directExecutor().build().start();
      ManagedChannel channel =
          InProcessChannelBuilder.forName(name).directExecutor().intercept(interceptors).build();
      return new OwnServer(server, channel);
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A channel that remembers the last call it made: to tell whether an interceptor wrapped it. */
  private static final class CallRecordingChannel extends Channel {
    private final Channel delegate;
    volatile ClientCall<?, ?> last;

    CallRecordingChannel(Channel delegate) {
      this.delegate = delegate;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
      ClientCall<ReqT, RespT> call = delegate.newCall(method, callOptions);
      last = call;
      return call;
    }

    @Override
    public String authority() {
      return delegate.authority();
    }
  }

  /**
   * Sees every span the SDK starts, through the performance-collector hook the SDK calls for
   * sampled transactions: the only way to hold a span the SDK has not sent yet.
   */
  private static final class SpanCollector implements CompositePerformanceCollector {
    private final List<ISpan> started = new CopyOnWriteArrayList<>();
    private volatile Runnable onClientSpan;

    void whenClientSpanStarts(Runnable action) {
      onClientSpan = action;
    }

    ISpan onlyClientSpan() {
      List<ISpan> client = new ArrayList<>();
      for (ISpan span : started) {
        if (CLIENT_OP.equals(span.getOperation())) {
          client.add(span);
        }
      }
      assertThat(client).as("grpc.client spans started").hasSize(1);
      return client.get(0);
    }

    @Override
    public void onSpanStarted(ISpan span) {
      started.add(span);
      Runnable action = onClientSpan;
      if (action != null && CLIENT_OP.equals(span.getOperation())) {
        action.run();
      }
    }

    @Override
    public void start(ITransaction transaction) {}

    @Override
    public void start(String id) {}

    @Override
    public void onSpanFinished(ISpan span) {}

    @Override
    public List<PerformanceCollectionData> stop(ITransaction transaction) {
      return new ArrayList<>();
    }

    @Override
    public List<PerformanceCollectionData> stop(String id) {
      return new ArrayList<>();
    }

    @Override
    public void close() {}
  }
}

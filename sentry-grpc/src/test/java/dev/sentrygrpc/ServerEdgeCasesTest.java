package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static dev.sentrygrpc.CallAssertions.assertCallFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.SentryClient;
import io.sentry.SentryOptions;
import io.sentry.SpanStatus;
import io.sentry.SentryEvent;
import io.sentry.SentryIntegrationPackageStorage;
import io.sentry.protocol.SentryPackage;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server cases 14 to 19 and 28 to 30 of CONFORMANCE.md. */
class ServerEdgeCasesTest {
  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  @Test
  @SuppressWarnings("deprecation") // v1alpha reflection: see listServicesByReflection
  void ignoredMethodsGetNoTransactionAndTheSamplerSeesTheMethod() throws Exception {
    List<Object> sampledMethods = new CopyOnWriteArrayList<>();
    sentry =
        SentryRecorder.init(
            options ->
                options.setTracesSampler(
                    context -> {
                      sampledMethods.add(context.getCustomSamplingContext().get("grpc.method"));
                      Object descriptor =
                          context.getCustomSamplingContext().get("grpc.method_descriptor");
                      assertThat(descriptor).isInstanceOf(MethodDescriptor.class);
                      // A sampler can drop a method on its own, too.
                      return "sentrygrpc.test.EchoService/ServerStream"
                              .equals(context.getCustomSamplingContext().get("grpc.method"))
                          ? 0.0
                          : 1.0;
                    }));
    HealthStatusManager health = new HealthStatusManager();
    try (TestServer server =
        TestServer.builder()
            .serverInterceptors(new SentryServerInterceptor())
            .addService(health.getHealthService())
            .addService(ProtoReflectionService.newInstance())
            .start()) {
      HealthGrpc.newBlockingStub(server.channel).check(HealthCheckRequest.getDefaultInstance());
      listServicesByReflection(server);
      server.blocking().serverStream(EchoRequest.newBuilder().setMessage("ok").setCount(1).build()).next();
      server.blocking().unary(request("ok"));
    }
    sentry.awaitTransactions(1);
    sentry.settle();
    assertThat(SentryRecorder.names(sentry.transactions()))
        .containsExactly("sentrygrpc.test.EchoService/Unary");
    assertThat(sampledMethods)
        .containsExactly(
            "sentrygrpc.test.EchoService/ServerStream", "sentrygrpc.test.EchoService/Unary");
  }

  @Test
  void userIgnoredMethodsGetNoTransactionAndNoEvent() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().ignoredMethods("sentrygrpc.test.*/Un*").build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
      server.blocking().serverStream(EchoRequest.newBuilder().setMessage("ok").setCount(1).build()).next();
    }
    sentry.awaitTransactions(1);
    sentry.settle();
    assertThat(SentryRecorder.names(sentry.transactions()))
        .containsExactly("sentrygrpc.test.EchoService/ServerStream");
    assertThat(sentry.events()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"never-initialised", "empty-dsn"})
  void aDisabledSdkLetsCallsPassStraightThrough(String how) throws Exception {
    if (how.equals("empty-dsn")) {
      Sentry.init(options -> options.setDsn(""));
    }
    List<Class<?>> seenCalls = new CopyOnWriteArrayList<>();
    try (TestServer server =
        TestServer.start(recordCallClass(seenCalls), new SentryServerInterceptor())) {
      assertThat(server.blocking().unary(request("ok")).getMessage()).isEqualTo("ok");
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    // No wrapper was put around the call: the inner interceptor saw grpc-java's own call.
    assertThat(seenCalls).hasSize(2).noneMatch(TracedServerCall.class::equals);
  }

  @Test
  void anUnimplementedMethodGetsNoTransaction() throws Exception {
    sentry = SentryRecorder.init();
    MethodDescriptor<EchoRequest, EchoReply> missing =
        EchoServiceGrpc.getUnaryMethod().toBuilder()
            .setFullMethodName("sentrygrpc.test.EchoService/Missing")
            .build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(
              () ->
                  ClientCalls.blockingUnaryCall(
                      server.channel, missing, CallOptions.DEFAULT, request("ok")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
    assertThat(sentry.events()).isEmpty();
  }

  @Test
  void otherInterceptorsAreEachCalledOnceInBothOrders() throws Exception {
    sentry = SentryRecorder.init();
    List<String> calls = new CopyOnWriteArrayList<>();
    try (TestServer inner =
            TestServer.start(counting("a", calls), new SentryServerInterceptor(), counting("b", calls));
        TestServer outer =
            TestServer.start(new SentryServerInterceptor(), counting("c", calls))) {
      inner.blocking().unary(request("ok"));
      outer.blocking().unary(request("ok"));
    }
    assertThat(calls).containsExactly("b", "a", "c");
    sentry.awaitTransactions(2);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(2);
  }

  @Test
  void anOutermostSentryInterceptorCapturesAnInnerInterceptorsException() throws Exception {
    sentry = SentryRecorder.init();
    ServerInterceptor failingAuth =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            throw new SecurityException("auth backend down");
          }
        };
    try (TestServer server = TestServer.start(failingAuth, new SentryServerInterceptor())) {
      assertThatThrownBy(() -> server.blocking().unary(request("ok")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    sentry.awaitTransactions(1);
    sentry.settle();
    assertThat(sentry.events()).hasSize(1);
    assertThat(event.getExceptions().get(0).getType()).isEqualTo("SecurityException");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aStatusAnInnerInterceptorThrowsIsWhatTheClientAndTheTransactionGet(boolean rethrow)
      throws Exception {
    sentry = SentryRecorder.init();
    ServerInterceptor refusingAuth =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            throw Status.UNAUTHENTICATED.withDescription("who are you").asRuntimeException();
          }
        };
    SentryGrpcOptions options = SentryGrpcOptions.builder().rethrow(rethrow).build();
    try (TestServer server = TestServer.start(refusingAuth, new SentryServerInterceptor(options))) {
      assertCallFailsWith(Status.Code.UNAUTHENTICATED, () -> server.blocking().unary(request("ok")));
    }
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.settle();
    assertThat(transaction.getStatus()).isEqualTo(SpanStatus.UNAUTHENTICATED);
    // A refused login is not a bug: UNAUTHENTICATED is not a captured code.
    assertThat(sentry.events()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aCloseAfterAnExceptionEndedTheCallChangesNothing(boolean rethrow) throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options = SentryGrpcOptions.builder().rethrow(rethrow).build();
    Status seen;
    // On a server executor the half-close is queued behind the message whose handler throws, and
    // grpc-java still delivers it after ending the call: the handler's onCompleted then answers.
    ExecutorService serverThread = Executors.newSingleThreadExecutor();
    CountDownLatch messageAndHalfCloseSent = new CountDownLatch(1);
    serverThread.execute(
        () -> {
          try {
            messageAndHalfCloseSent.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try (TestServer server =
        TestServer.builder()
            .executor(serverThread)
            .serverInterceptors(new SentryServerInterceptor(options))
            .start()) {
      Responses responses = new Responses();
      StreamObserver<EchoRequest> uploads = server.async().clientStream(responses);
      uploads.onNext(request("throw"));
      uploads.onCompleted();
      messageAndHalfCloseSent.countDown();
      seen = responses.await();
    } finally {
      serverThread.shutdownNow();
    }
    Status.Code expected = rethrow ? Status.Code.UNKNOWN : Status.Code.INTERNAL;
    assertThat(seen.getCode()).isEqualTo(expected);
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    sentry.awaitEvents(1);
    sentry.settle();
    assertThat(transaction.getStatus()).isEqualTo(SpanStatuses.of(expected));
    assertThat(sentry.events()).hasSize(1);
    assertThat(sentry.events().get(0).getExceptions().get(0).getValue()).isEqualTo("handler failed");
  }

  @Test
  void aUnaryHandlerThatCompletesWithoutAReplyGetsTheStatusTheClientSees() throws Exception {
    sentry = SentryRecorder.init();
    Status.Code seen;
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      // grpc-java refuses an OK close without the one reply a unary call owes and ends the call.
      seen =
          catchThrowableOfType(
                  () -> server.blocking().unary(request("no-reply")), StatusRuntimeException.class)
              .getStatus()
              .getCode();
    }
    assertThat(seen).isNotEqualTo(Status.Code.OK);
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getStatus()).isEqualTo(SpanStatuses.of(seen));
  }

  @Test
  void explicitScopesSendThroughTheirOwnClient() throws Exception {
    sentry = SentryRecorder.init();
    List<SentryTransaction> ownClientGot = new CopyOnWriteArrayList<>();
    SentryOptions ownOptions = new SentryOptions();
    ownOptions.setDsn("https://other@sentry.invalid/2");
    ownOptions.setBeforeSendTransaction(
        (transaction, hint) -> {
          ownClientGot.add(transaction);
          return null; // recorded; nothing to send
        });
    IScopes scopes = Sentry.forkedRootScopes("second-client");
    scopes.bindClient(new SentryClient(ownOptions));
    try (TestServer server =
        TestServer.start(new SentryServerInterceptor(SentryGrpcOptions.builder().scopes(scopes).build()))) {
      server.blocking().unary(request("ok"));
    }
    sentry.settle();
    assertThat(ownClientGot).extracting(SentryTransaction::getTransaction)
        .containsExactly("sentrygrpc.test.EchoService/Unary");
    assertThat(sentry.transactions()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void sensitiveMetadataNeverReachesSentry(boolean sendDefaultPii) throws Exception {
    sentry = SentryRecorder.init(options -> {
      options.setTracesSampleRate(1.0);
      options.setSendDefaultPii(sendDefaultPii);
    });
    Metadata headers = new Metadata();
    String[][] secrets = {
      {"authorization", "Bearer s3cr3t-bearer"},
      {"cookie", "session=s3cr3t-cookie"},
      {"x-api-key", "s3cr3t-api-key"},
      {"x-auth-token", "s3cr3t-auth-token"},
      {"my-refresh-token", "s3cr3t-refresh"},
      {"x-client-secret", "s3cr3t-client"},
      {"db-password", "s3cr3t-password"},
      {"x-session-id", "s3cr3t-session"},
      {"x-forwarded-for", "203.0.113.9"},
    };
    for (String[] secret : secrets) {
      headers.put(Metadata.Key.of(secret[0], Metadata.ASCII_STRING_MARSHALLER), secret[1]);
    }
    headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), "tenant-42");
    headers.put(Metadata.Key.of("x-listed", Metadata.ASCII_STRING_MARSHALLER), "listed-value");
    headers.put(
        Metadata.Key.of("x-blob-bin", Metadata.BINARY_BYTE_MARSHALLER), "s3cr3t-binary".getBytes("UTF-8"));
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedMetadata("X-Listed", "authorization").build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      assertThatThrownBy(
              () ->
                  server
                      .blocking()
                      .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                      .unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    sentry.awaitEvents(1);
    sentry.awaitTransactions(1);
    sentry.settle();
    String sent = sentry.rawText();
    assertThat(sent).doesNotContain("s3cr3t").doesNotContain("203.0.113.9");
    // Listed keys are attached even without PII; the rest only with it.
    assertThat(sent).contains("listed-value");
    if (sendDefaultPii) {
      assertThat(sent).contains("tenant-42");
    } else {
      assertThat(sent).doesNotContain("tenant-42");
    }
    assertThat(sentry.events().get(0).getContexts().get("grpc").toString())
        .contains("sentrygrpc.test.EchoService/Unary");
  }

  @Test
  void thePeerAddressIsSentOnlyWithSendDefaultPii() throws Exception {
    for (boolean pii : new boolean[] {false, true}) {
      sentry = SentryRecorder.init(options -> {
        options.setTracesSampleRate(1.0);
        options.setSendDefaultPii(pii);
      });
      try (TestServer server =
          TestServer.builder()
              .transport(TestServer.Transport.NETTY)
              .serverInterceptors(new SentryServerInterceptor())
              .start()) {
        server.blocking().unary(request("ok"));
      }
      SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
      if (pii) {
        assertThat(transaction.getContexts().getTrace().getData()).containsEntry("client.address", "127.0.0.1");
      } else {
        assertThat(transaction.getContexts().getTrace().getData()).doesNotContainKey("client.address");
        assertThat(sentry.rawText()).doesNotContain("127.0.0.1:");
      }
      Sentry.close();
    }
  }

  @Test
  void malformedTraceHeadersNeverFailACallAndStartANewTrace() throws Exception {
    sentry = SentryRecorder.init();
    StringBuilder huge = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      huge.append("sentry-k").append(i).append("=v").append(i).append(',');
    }
    List<String[]> cases =
        Arrays.asList(
            new String[] {"garbage", "garbage"},
            new String[] {"", ""},
            new String[] {"0123-4567", "sentry-trace_id="},
            new String[] {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-zzzzzzzzzzzzzzzz-1", "=,=,,;;"},
            new String[] {ServerInterceptorTest.INCOMING_TRACE_ID + "-" + "a1b2c3d4e5f6071-1", "%%%"},
            new String[] {ServerInterceptorTest.INCOMING_TRACE_ID + "-a1b2c3d4e5f60718-7", huge.toString()},
            new String[] {"\u00e9\u00e8\u00ea-\u00fc", "sentry-release=\u00e9"},
            new String[] {repeat('a', 8000), repeat('b', 8000)});
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      for (String[] pair : cases) {
        Metadata headers = new Metadata();
        headers.put(TraceMetadata.SENTRY_TRACE, pair[0]);
        headers.put(TraceMetadata.SENTRY_TRACE, pair[0] + "-again");
        headers.put(TraceMetadata.BAGGAGE, pair[1]);
        headers.put(TraceMetadata.BAGGAGE, pair[1]);
        EchoReply reply =
            server
                .blocking()
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .unary(request("ok"));
        assertThat(reply.getMessage()).isEqualTo("ok");
      }
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(cases.size());
    List<String> traceIds = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      traceIds.add(transaction.getContexts().getTrace().getTraceId().toString());
    }
    // Unusable input starts a fresh trace for each call instead of joining a bogus one.
    assertThat(traceIds).doesNotHaveDuplicates().doesNotContain(ServerInterceptorTest.INCOMING_TRACE_ID);
  }

  @Test
  void refusingIncomingTracesStartsAFreshTrace() throws Exception {
    sentry = SentryRecorder.init();
    Metadata headers = new Metadata();
    headers.put(
        TraceMetadata.SENTRY_TRACE,
        ServerInterceptorTest.INCOMING_TRACE_ID + "-" + ServerInterceptorTest.INCOMING_SPAN_ID + "-0");
    SentryGrpcOptions edge = SentryGrpcOptions.builder().continueIncomingTraces(false).build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(edge))) {
      server.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).unary(request("ok"));
    }
    // The caller asked not to sample; refused, the server samples by its own rate.
    SentryTransaction transaction = sentry.awaitTransactions(1).get(0);
    assertThat(transaction.getContexts().getTrace().getTraceId().toString())
        .isNotEqualTo(ServerInterceptorTest.INCOMING_TRACE_ID);
    assertThat(transaction.getContexts().getTrace().getParentSpanId()).isNull();
  }

  @Test
  void theIntegrationAndPackageAreRegisteredUnderThisProjectsCoordinates() throws Exception {
    new SentryServerInterceptor();
    new SentryClientInterceptor();
    sentry = SentryRecorder.init();
    assertThat(Sentry.isEnabled()).isTrue();
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    assertThat(event.getSdk().getIntegrationSet()).contains("Grpc");
    List<String> packages = new ArrayList<>();
    for (SentryPackage sentryPackage : event.getSdk().getPackageSet()) {
      packages.add(sentryPackage.getName());
    }
    assertThat(packages).contains("maven:dev.sentrygrpc:sentry-grpc").noneMatch(p -> p.startsWith("maven:io.sentry:sentry-grpc"));
    assertThat(Collections.frequency(packages, "maven:dev.sentrygrpc:sentry-grpc")).isEqualTo(1);
    assertThat(SentryIntegrationPackageStorage.getInstance().getIntegrations()).contains("Grpc");
  }

  @Test
  void ignoredSpanOriginsTurnTheServerInterceptorOff() throws Exception {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setIgnoredSpanOrigins(Collections.singletonList("auto.grpc.grpc.server"));
            });
    try (TestServer server = TestServer.start(new SentryServerInterceptor())) {
      server.blocking().unary(request("ok"));
    }
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
  }

  @Test
  void explicitScopesAreUsedInsteadOfTheGlobalOnes() throws Exception {
    sentry = SentryRecorder.init();
    IScopes scopes = Sentry.forkedRootScopes("test");
    try (TestServer server =
        TestServer.start(new SentryServerInterceptor(SentryGrpcOptions.builder().scopes(scopes).build()))) {
      server.blocking().unary(request("ok"));
    }
    assertThat(sentry.awaitTransactions(1)).hasSize(1);
  }

  @Test
  void optionDefaults() {
    SentryGrpcOptions defaults = SentryGrpcOptions.defaults();
    assertThat(defaults.rethrow()).isTrue();
    assertThat(defaults.flushOnError()).isNull();
    assertThat(defaults.ignoredMethods()).containsExactly("grpc.health.v1.Health/*", "grpc.reflection.*");
    assertThat(defaults.capturedStatusCodes())
        .containsExactlyInAnyOrder(Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.DATA_LOSS);
    assertThat(defaults.traceStreamingCalls()).isTrue();
    assertThat(defaults.capturedMetadata()).isEmpty();
    assertThat(defaults.continueIncomingTraces().test(null, new Metadata())).isTrue();
    assertThat(defaults.capturedClientStatusCodes()).isEmpty();
    assertThat(defaults.clientBreadcrumbs()).isTrue();
    assertThat(defaults.scopes()).isNull();
    assertThat(defaults.metrics()).isFalse();
    assertThat(defaults.metricsInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.failedCallLogs()).isFalse();
    assertThat(defaults.accessLogs()).isFalse();
    assertThat(defaults.loggedStatusCodes())
        .containsExactlyInAnyOrder(Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.DATA_LOSS);
    assertThat(defaults.loggedClientStatusCodes())
        .containsExactlyInAnyOrder(
            Status.Code.UNKNOWN,
            Status.Code.INTERNAL,
            Status.Code.DATA_LOSS,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.UNAVAILABLE);
    assertThat(defaults.maxLogsPerSecond()).isEqualTo(50);
    assertThat(SentryGrpcOptions.builder().build().toString()).isEqualTo(defaults.toString());
    assertThat(defaults.toString()).contains("metrics=false", "metricsInterval=PT10S", "maxLogsPerSecond=50");
  }

  @Test
  void optionsAreImmutableAndCopiedByToBuilder() {
    SentryGrpcOptions changed =
        SentryGrpcOptions.defaults().toBuilder()
            .rethrow(false)
            .flushOnError(Duration.ofSeconds(2))
            .ignoredMethods()
            .capturedStatusCodes(Status.Code.NOT_FOUND)
            .capturedMetadata("X-Tenant")
            .continueIncomingTraces(false)
            .capturedClientStatusCodes(Status.Code.UNAVAILABLE)
            .clientBreadcrumbs(false)
            .traceStreamingCalls(false)
            .metrics(true)
            .metricsInterval(Duration.ofSeconds(30))
            .failedCallLogs(true)
            .accessLogs(true)
            .loggedStatusCodes(Status.Code.UNAVAILABLE)
            .loggedClientStatusCodes()
            .maxLogsPerSecond(7)
            .build();
    SentryGrpcOptions copy = changed.toBuilder().build();
    assertThat(copy.metrics()).isTrue();
    assertThat(copy.metricsInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(copy.failedCallLogs()).isTrue();
    assertThat(copy.accessLogs()).isTrue();
    assertThat(copy.loggedStatusCodes()).containsExactly(Status.Code.UNAVAILABLE);
    assertThat(copy.loggedClientStatusCodes()).isEmpty();
    assertThat(copy.maxLogsPerSecond()).isEqualTo(7);
    assertThatThrownBy(() -> copy.loggedStatusCodes().add(Status.Code.OK))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(copy.rethrow()).isFalse();
    assertThat(copy.flushOnError()).isEqualTo(Duration.ofSeconds(2));
    assertThat(copy.ignoredMethods()).isEmpty();
    assertThat(copy.capturedStatusCodes()).containsExactly(Status.Code.NOT_FOUND);
    assertThat(copy.capturedMetadata()).containsExactly("x-tenant");
    assertThat(copy.continueIncomingTraces().test(null, new Metadata())).isFalse();
    assertThat(copy.capturedClientStatusCodes()).containsExactly(Status.Code.UNAVAILABLE);
    assertThat(copy.clientBreadcrumbs()).isFalse();
    assertThat(copy.traceStreamingCalls()).isFalse();
    assertThatThrownBy(() -> copy.capturedStatusCodes().add(Status.Code.OK))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.ignoredMethods().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(SentryGrpcOptions.defaults().rethrow()).isTrue();
  }

  @Test
  void invalidOptionValuesAreRefusedWithAClearMessage() {
    SentryGrpcOptions.Builder builder = SentryGrpcOptions.builder();
    assertThatThrownBy(() -> builder.flushOnError(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flushOnError");
    assertThatThrownBy(() -> builder.ignoredMethods((String[]) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.ignoredMethods("a", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.capturedStatusCodes((Status.Code) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.capturedMetadata((String[]) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                builder.continueIncomingTraces(
                    (java.util.function.BiPredicate<ServerCall<?, ?>, Metadata>) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SentryServerInterceptor(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SentryClientInterceptor(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.metricsInterval(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metricsInterval");
    assertThatThrownBy(() -> builder.metricsInterval(Duration.ofMillis(99)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100 ms");
    assertThatThrownBy(() -> builder.maxLogsPerSecond(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLogsPerSecond");
    assertThatThrownBy(() -> builder.loggedStatusCodes((Status.Code) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.loggedClientStatusCodes((Status.Code[]) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(builder.metricsInterval(Duration.ofMillis(100)).build().metricsInterval())
        .isEqualTo(Duration.ofMillis(100));
    assertThat(builder.flushOnError(Duration.ZERO).build().flushOnError()).isNull();
    assertThat(builder.flushOnError(null).build().flushOnError()).isNull();
  }

  @Test
  void flushOnErrorWaitsForDeliveryBeforeTheCallEnds() throws Exception {
    List<Long> flushes = new CopyOnWriteArrayList<>();
    sentry = SentryRecorder.init(options -> options.setTracesSampleRate(1.0));
    IScopes flushRecording = new FlushRecordingScopes(Sentry.getCurrentScopes(), flushes).proxy();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().scopes(flushRecording).flushOnError(Duration.ofMillis(1500)).build();
    try (TestServer server = TestServer.start(new SentryServerInterceptor(options))) {
      server.blocking().unary(request("ok"));
      assertThat(flushes).isEmpty();
      assertThatThrownBy(() -> server.blocking().unary(request("throw")))
          .isInstanceOf(StatusRuntimeException.class);
    }
    assertThat(flushes).containsExactly(1500L);
  }

  private static String repeat(char c, int times) {
    char[] chars = new char[times];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  /**
   * One reflection call, as grpcurl makes it, answered and completed. v1alpha: the version every
   * grpc-java release of the tested range serves (v1 came after 1.60).
   */
  private static void listServicesByReflection(TestServer server) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    List<ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(server.channel)
            .serverReflectionInfo(
                new StreamObserver<ServerReflectionResponse>() {
                  @Override
                  public void onNext(ServerReflectionResponse answer) {
                    answers.add(answer);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(answers).hasSize(1);
  }

  private static ServerInterceptor counting(String name, List<String> calls) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        calls.add(name);
        return next.startCall(call, headers);
      }
    };
  }

  private static ServerInterceptor recordCallClass(List<Class<?>> seen) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(call.getClass());
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
            next.startCall(call, headers)) {};
      }
    };
  }
}

package dev.sentrygrpc.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SpringGrpcExceptionStatus;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryException;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.internal.ApplicationContextBeanLookupUtils;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot application with Spring gRPC's in-process server and client, Sentry's own Spring
 * Boot integration and nothing else set up by hand: what arrives at a local Sentry is what a user
 * gets from the dependency and {@code sentry.*} properties.
 */
@SpringBootTest(
    classes = SentryGrpcSpringBootApplicationTest.EchoApplication.class,
    properties = {
      "spring.grpc.server.inprocess.name=" + SentryGrpcSpringBootApplicationTest.SERVER_NAME,
      // Netty (shaded) is on the test class path for the conformance test: no fixed port.
      "spring.grpc.server.port=0",
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class SentryGrpcSpringBootApplicationTest {

  static final String SERVER_NAME = "sentry-grpc-spring-boot-test";
  /** Makes the stand-in for Spring Security refuse the call. */
  static final Metadata.Key<String> DENY = Metadata.Key.of("x-deny", Metadata.ASCII_STRING_MARSHALLER);
  private static final String UNARY = "sentrygrpc.test.EchoService/Unary";
  /** Generous: only a bound on waiting for delivery, never something measured. */
  private static final Duration DELIVERY = Duration.ofSeconds(30);

  private static final SentryReceiver receiver = SentryReceiver.start();

  @DynamicPropertySource
  static void sentryDsn(DynamicPropertyRegistry registry) {
    registry.add("sentry.dsn", receiver::dsn);
  }

  @AfterAll
  static void stopSentry() {
    Sentry.close();
    receiver.close();
  }

  @Autowired private GrpcChannelFactory channels;
  @Autowired private ApplicationContext context;

  private EchoServiceGrpc.EchoServiceBlockingStub echo;

  @BeforeEach
  void connect() {
    ManagedChannel channel = channels.createChannel("in-process:" + SERVER_NAME);
    echo = EchoServiceGrpc.newBlockingStub(channel);
  }

  @Test
  void aCallArrivesAsAServerTransactionInTheCallersTrace() {
    ITransaction caller;
    EchoReply reply;
    ISentryLifecycleToken callerScopes = Sentry.forkedScopes("test").makeCurrent();
    try {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      caller = Sentry.startTransaction("checkout", "test", bound);
      reply = echo.unary(EchoRequest.newBuilder().setMessage("hello").build());
      caller.finish();
    } finally {
      callerScopes.close();
    }
    assertThat(reply.getMessage()).isEqualTo("hello");

    SentryId traceId = caller.getSpanContext().getTraceId();
    SentryTransaction server =
        receiver.awaitTransaction(
            t -> UNARY.equals(t.getTransaction()) && traceId.equals(traceIdOf(t)), DELIVERY);
    SentryTransaction client =
        receiver.awaitTransaction(t -> "checkout".equals(t.getTransaction()), DELIVERY);

    assertThat(server.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    assertThat(server.getContexts().getTrace().getOrigin()).isEqualTo("auto.grpc.grpc.server");
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    // The server's transaction hangs under the client's span: the trace went over the wire.
    assertThat(server.getContexts().getTrace().getParentSpanId())
        .isEqualTo(clientSpan.getSpanId());
    assertThat(clientSpan.getDescription()).isEqualTo(UNARY);
  }

  @Test
  void anExceptionNothingMapsArrivesAsExactlyOneErrorEvent() {
    FailedCall failed = failedCallInANewTrace("boom");
    // Spring gRPC's exception handling still answers: nothing mapped it, so UNKNOWN.
    assertThat(failed.status()).isEqualTo(Status.Code.UNKNOWN);

    SentryEvent event = receiver.awaitEvent(e -> thrown(e, "boom from the service"), DELIVERY);
    assertThat(event.getContexts().getTrace().getTraceId()).isEqualTo(failed.traceId);
    SentryTransaction server = serverTransactionOf(failed);
    assertThat(server.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    // The status the client saw.
    assertThat(server.getStatus()).isEqualTo(SpanStatus.UNKNOWN);

    SentryException exception = raised(event);
    assertThat(exception.getType()).isEqualTo("IllegalStateException");
    assertThat(exception.getMechanism().getType()).isEqualTo("grpc");
    assertThat(exception.getMechanism().isHandled()).isFalse();
    // The SDK sends in order from one queue: the call's transaction came after its events.
    assertThat(eventsOf(failed)).hasSize(1);
  }

  @Test
  void anExceptionAGrpcExceptionHandlerMapsOnlySetsTheTransactionStatus() {
    FailedCall failed = failedCallInANewTrace("invalid");
    // The application's GrpcExceptionHandler, outside Sentry, still decides the status...
    assertThat(failed.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failed.error.getStatus().getDescription()).isEqualTo("no such message");

    // ...Sentry asked it too: the transaction has that status, and an expected outcome is no error.
    SentryTransaction server = serverTransactionOf(failed);
    assertThat(server.getStatus()).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(server.getContexts().getTrace().getStatus().apiName()).isEqualTo("invalid_argument");
    assertThat(eventsOf(failed)).isEmpty();
  }

  @Test
  void handlersAreAskedInSpringsOrder() {
    // Two handlers map a conflict; the one with the higher precedence, declared last, wins for
    // the client and for Sentry alike.
    FailedCall failed = failedCallInANewTrace("conflict");
    assertThat(failed.status()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(serverTransactionOf(failed).getStatus()).isEqualTo(SpanStatus.ALREADY_EXISTS);
    assertThat(eventsOf(failed)).isEmpty();
  }

  @Test
  void aStatusExceptionFromTheServiceIsItsStatus() {
    FailedCall failed = failedCallInANewTrace("missing");
    assertThat(failed.status()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(serverTransactionOf(failed).getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(eventsOf(failed)).isEmpty();
  }

  @Test
  void aCallRefusedBySecurityIsNoErrorButAnUnauthenticatedTransaction() {
    // The security interceptor inside Sentry throws, Spring gRPC's exception handling turns the
    // exception into UNAUTHENTICATED: Sentry still ends the call's transaction, with that status.
    Metadata denied = new Metadata();
    denied.put(DENY, "yes");
    FailedCall failed =
        failedCallInANewTrace(
            "hello", echo.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(denied)));
    assertThat(failed.status()).isEqualTo(Status.Code.UNAUTHENTICATED);

    SentryTransaction server = serverTransactionOf(failed);
    assertThat(server.getStatus()).isEqualTo(SpanStatus.UNAUTHENTICATED);
    assertThat(server.getContexts().getTrace().getStatus().apiName()).isEqualTo("unauthenticated");
    assertThat(eventsOf(failed)).isEmpty();
  }

  @Test
  void anExceptionPassedToOnErrorIsAskedAboutToo() {
    // onError(t) reaches Sentry as grpc-java's UNKNOWN with t as the cause; Spring gRPC maps
    // that status past Sentry, and Sentry asks the same handlers, so both agree.
    FailedCall failed = failedCallInANewTrace("invalid-on-error");
    assertThat(failed.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(serverTransactionOf(failed).getStatus()).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(eventsOf(failed)).isEmpty();
  }

  @Test
  void theOptionsAskSpringGrpcsExceptionHandlers() {
    assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus())
        .isInstanceOf(SpringGrpcExceptionStatus.class);
  }

  @Test
  void sentryComesJustInsideSpringGrpcExceptionHandlingAndBeforeTheRest() {
    // The lookup Spring gRPC itself uses to build every service's and channel's chain; for both,
    // the first in this list runs first (outermost).
    List<ServerInterceptor> server =
        ApplicationContextBeanLookupUtils.getBeansWithAnnotation(
            context, ServerInterceptor.class, GlobalServerInterceptor.class);
    assertThat(server).hasSize(5);
    assertThat(server.get(0)).isInstanceOf(GrpcExceptionHandlerInterceptor.class);
    assertThat(server.get(1))
        .isSameAs(context.getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR));
    // grpc-kotlin is on the test class path: the coroutine context comes right inside Sentry.
    assertThat(server.get(2))
        .isSameAs(context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR));
    assertThat(server.get(3)).isSameAs(context.getBean("authenticationServerInterceptor"));
    assertThat(server.get(4)).isSameAs(context.getBean("orderZeroServerInterceptor"));

    List<ClientInterceptor> client =
        ApplicationContextBeanLookupUtils.getBeansWithAnnotation(
            context, ClientInterceptor.class, GlobalClientInterceptor.class);
    assertThat(client).hasSize(2);
    assertThat(client.get(0)).isInstanceOf(OrderedClientInterceptor.class);
    assertThat(client.get(1)).isSameAs(context.getBean("orderZeroClientInterceptor"));
  }

  /** A call that failed, and the trace it was made in. */
  private static final class FailedCall {
    final StatusRuntimeException error;
    final SentryId traceId;

    FailedCall(StatusRuntimeException error, SentryId traceId) {
      this.error = error;
      this.traceId = traceId;
    }

    Status.Code status() {
      return error.getStatus().getCode();
    }
  }

  /**
   * Calls from scopes of their own with a fresh trace: calls from one thread's scopes all carry
   * that thread's trace, and each test must find its own events by trace id.
   */
  private FailedCall failedCallInANewTrace(String message) {
    return failedCallInANewTrace(message, echo);
  }

  private static FailedCall failedCallInANewTrace(
      String message, EchoServiceGrpc.EchoServiceBlockingStub echo) {
    ISentryLifecycleToken callerScopes = Sentry.forkedScopes("test").makeCurrent();
    try {
      SentryId traceId = Sentry.continueTrace(null, null).getTraceId();
      StatusRuntimeException error =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> echo.unary(EchoRequest.newBuilder().setMessage(message).build()));
      assertThat(error).as("the call failed").isNotNull();
      return new FailedCall(error, traceId);
    } finally {
      callerScopes.close();
    }
  }

  /** The server's transaction of the call; once it arrived, so did the call's events. */
  private static SentryTransaction serverTransactionOf(FailedCall call) {
    return receiver.awaitTransaction(
        t -> UNARY.equals(t.getTransaction()) && call.traceId.equals(traceIdOf(t)), DELIVERY);
  }

  private static List<SentryEvent> eventsOf(FailedCall call) {
    return eventsOfTrace(call.traceId);
  }

  private static SentryId traceIdOf(SentryTransaction transaction) {
    return transaction.getContexts().getTrace().getTraceId();
  }

  private static List<SentryEvent> eventsOfTrace(SentryId traceId) {
    return receiver.events().stream()
        .filter(e -> traceId.equals(e.getContexts().getTrace().getTraceId()))
        .collect(Collectors.toList());
  }

  private static boolean thrown(SentryEvent event, String message) {
    return event.getExceptions() != null
        && event.getExceptions().stream().anyMatch(e -> message.equals(e.getValue()));
  }

  /** The exception the service threw (the SDK lists causes first, the outermost last). */
  private static SentryException raised(SentryEvent event) {
    List<SentryException> exceptions = event.getExceptions();
    return exceptions.get(exceptions.size() - 1);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class EchoApplication {

    @Bean
    EchoService echoService() {
      return new EchoService();
    }

    /** What an application's own mapping looks like; it must keep working with Sentry in. */
    @Bean
    GrpcExceptionHandler invalidArgumentHandler() {
      return exception ->
          exception instanceof IllegalArgumentException
              ? Status.INVALID_ARGUMENT.withDescription(exception.getMessage()).asException()
              : null;
    }

    /**
     * Like Spring gRPC's SecurityGrpcExceptionHandler, which turns the exceptions Spring
     * Security's interceptor throws into UNAUTHENTICATED / PERMISSION_DENIED.
     */
    @Bean
    GrpcExceptionHandler unauthenticatedHandler() {
      return exception ->
          exception instanceof AccessRefusedException
              ? Status.UNAUTHENTICATED.withDescription("Authentication failed").asException()
              : null;
    }

    /** Asked after the next one, though declared first: Spring sorts handlers by order. */
    @Bean
    @Order(2)
    GrpcExceptionHandler failedPreconditionHandler() {
      return exception ->
          exception instanceof ConflictException ? Status.FAILED_PRECONDITION.asException() : null;
    }

    @Bean
    @Order(1)
    GrpcExceptionHandler alreadyExistsHandler() {
      return exception ->
          exception instanceof ConflictException ? Status.ALREADY_EXISTS.asException() : null;
    }

    /**
     * Stands for Spring Security's AuthenticationProcessInterceptor (order -10), which throws
     * from interceptCall when a call has no valid credentials.
     */
    @Bean
    @GlobalServerInterceptor
    @Order(-10)
    ServerInterceptor authenticationServerInterceptor() {
      return new RefusingServerInterceptor();
    }

    /** Stands for Micrometer observation (order 0). */
    @Bean
    @GlobalServerInterceptor
    @Order(0)
    ServerInterceptor orderZeroServerInterceptor() {
      return new PassThroughServerInterceptor();
    }

    /** Stands for Micrometer observation on the client (no order: last). */
    @Bean
    @GlobalClientInterceptor
    @Order(0)
    ClientInterceptor orderZeroClientInterceptor() {
      return new PassThroughClientInterceptor();
    }
  }

  static final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
      switch (request.getMessage()) {
        case "boom":
          throw new IllegalStateException("boom from the service");
        case "invalid":
          throw new IllegalArgumentException("no such message");
        case "conflict":
          throw new ConflictException();
        case "invalid-on-error":
          responses.onError(new IllegalArgumentException("passed to onError"));
          return;
        case "missing":
          throw Status.NOT_FOUND.withDescription("no such echo").asRuntimeException();
        default:
          responses.onNext(EchoReply.newBuilder().setMessage(request.getMessage()).build());
          responses.onCompleted();
      }
    }
  }

  /** Stands for Spring Security's BadCredentialsException. */
  static final class AccessRefusedException extends RuntimeException {
    AccessRefusedException(String message) {
      super(message);
    }
  }

  static final class ConflictException extends RuntimeException {
    ConflictException() {
      super("already there");
    }
  }

  static final class RefusingServerInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      if (headers.containsKey(DENY)) {
        throw new AccessRefusedException("no credentials");
      }
      return next.startCall(call, headers);
    }
  }

  static final class PassThroughServerInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call,
        Metadata headers,
        ServerCallHandler<ReqT, RespT> next) {
      return next.startCall(call, headers);
    }
  }

  static final class PassThroughClientInterceptor implements ClientInterceptor {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions,
        Channel next) {
      return next.newCall(method, callOptions);
    }
  }
}

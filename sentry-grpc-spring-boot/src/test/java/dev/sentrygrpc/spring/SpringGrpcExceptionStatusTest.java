package dev.sentrygrpc.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.grpc.server.exception.CompositeGrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;

/**
 * The status {@link SpringGrpcExceptionStatus} computes is the one a client of Spring gRPC's own
 * {@link GrpcExceptionHandlerInterceptor} gets, with the same handlers, whether the exception comes
 * from the service method or from an interceptor inside the exception handling (Spring Security's
 * place).
 */
class SpringGrpcExceptionStatusTest {

  private static final Metadata.Key<String> FROM_INTERCEPTOR =
      Metadata.Key.of("x-throw-from-interceptor", Metadata.ASCII_STRING_MARSHALLER);

  /** What the next call throws, from the service method or the inner interceptor. */
  private static volatile Supplier<Throwable> toThrow;

  private static Server server;
  private static ManagedChannel channel;

  static final class AccessRefusedException extends RuntimeException {
    AccessRefusedException() {
      super("refused");
    }
  }

  static final class ConflictException extends RuntimeException {
    ConflictException() {
      super("conflict");
    }
  }

  /** Its handler fails. */
  static final class PoisonException extends RuntimeException {
    PoisonException() {
      super("poison");
    }
  }

  /** In this order, as Spring would inject them. */
  private static final List<GrpcExceptionHandler> HANDLERS =
      List.of(
          e -> e instanceof IllegalArgumentException ? Status.INVALID_ARGUMENT.asException() : null,
          e -> e instanceof AccessRefusedException ? Status.UNAUTHENTICATED.asException() : null,
          e -> {
            if (e instanceof PoisonException) {
              throw new IllegalStateException("handler failed");
            }
            return null;
          },
          // Two answers: the first handler wins.
          e -> e instanceof ConflictException ? Status.ALREADY_EXISTS.asException() : null,
          e -> e instanceof ConflictException ? Status.FAILED_PRECONDITION.asException() : null);

  private final SpringGrpcExceptionStatus exceptionStatus =
      new SpringGrpcExceptionStatus(() -> HANDLERS);

  @BeforeAll
  static void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    EchoServiceGrpc.EchoServiceImplBase service =
        new EchoServiceGrpc.EchoServiceImplBase() {
          @Override
          public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
            throw sneaky(toThrow.get());
          }
        };
    ServerInterceptor innerThrower =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            if (headers.containsKey(FROM_INTERCEPTOR)) {
              throw sneaky(toThrow.get());
            }
            return next.startCall(call, headers);
          }
        };
    GrpcExceptionHandlerInterceptor springExceptionHandling =
        new GrpcExceptionHandlerInterceptor(
            new CompositeGrpcExceptionHandler(HANDLERS.toArray(GrpcExceptionHandler[]::new)));
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            // The last interceptor runs first: Spring's exception handling outermost.
            .addService(
                ServerInterceptors.intercept(service, innerThrower, springExceptionHandling))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterAll
  static void stopServer() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  static Stream<Arguments> exceptions() {
    return Stream.of(
        thrown("nothing maps it", () -> new IllegalStateException("boom"), Code.UNKNOWN),
        thrown("a handler maps it", () -> new IllegalArgumentException(), Code.INVALID_ARGUMENT),
        thrown("a refused login", AccessRefusedException::new, Code.UNAUTHENTICATED),
        thrown("the first handler wins", ConflictException::new, Code.ALREADY_EXISTS),
        thrown("a handler that fails", PoisonException::new, Code.UNKNOWN),
        thrown("a status exception", Status.NOT_FOUND::asRuntimeException, Code.NOT_FOUND),
        thrown(
            "a status exception as a cause",
            () -> new RuntimeException(Status.RESOURCE_EXHAUSTED.asRuntimeException()),
            Code.RESOURCE_EXHAUSTED),
        thrown(
            "UNKNOWN with a cause a handler maps",
            () -> Status.UNKNOWN.withCause(new IllegalArgumentException()).asRuntimeException(),
            Code.INVALID_ARGUMENT),
        thrown(
            "another status with a cause a handler maps",
            () -> Status.INTERNAL.withCause(new IllegalArgumentException()).asRuntimeException(),
            Code.INTERNAL),
        thrown(
            "a cause is not unwrapped",
            () -> new RuntimeException(new IllegalArgumentException("bad")),
            Code.UNKNOWN));
  }

  private static Arguments thrown(String description, Supplier<Throwable> exception, Code code) {
    return Arguments.of(description, exception, code);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exceptions")
  void fromTheServiceMethod(String description, Supplier<Throwable> exception, Code expected) {
    assertThat(clientSees(exception, false)).isEqualTo(expected);
    assertThat(codeOf(exceptionStatus.apply(exception.get()))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exceptions")
  void fromAnInnerInterceptor(String description, Supplier<Throwable> exception, Code expected) {
    assertThat(clientSees(exception, true)).isEqualTo(expected);
    assertThat(codeOf(exceptionStatus.apply(exception.get()))).isEqualTo(expected);
  }

  @Test
  void exceptionsNothingMapsAreLeftToTheInterceptor() {
    // null: grpc-java's UNKNOWN (INTERNAL without rethrow), and the exception is captured.
    assertThat(exceptionStatus.apply(new IllegalStateException("boom"))).isNull();
    assertThat(exceptionStatus.apply(new PoisonException())).isNull();
    assertThat(new SpringGrpcExceptionStatus(List::of).apply(new IllegalArgumentException()))
        .isNull();
  }

  @Test
  void theHandlersAreLookedUpOnce() {
    AtomicInteger lookups = new AtomicInteger();
    SpringGrpcExceptionStatus once =
        new SpringGrpcExceptionStatus(
            () -> {
              lookups.incrementAndGet();
              return HANDLERS;
            });
    assertThat(lookups).hasValue(0);
    once.apply(new IllegalArgumentException());
    once.apply(new AccessRefusedException());
    assertThat(lookups).hasValue(1);
  }

  private static Code clientSees(Supplier<Throwable> exception, boolean fromInterceptor) {
    toThrow = exception;
    EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(channel);
    if (fromInterceptor) {
      Metadata headers = new Metadata();
      headers.put(FROM_INTERCEPTOR, "yes");
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    EchoServiceGrpc.EchoServiceBlockingStub call = stub;
    return catchThrowableOfType(
            StatusRuntimeException.class, () -> call.unary(EchoRequest.getDefaultInstance()))
        .getStatus()
        .getCode();
  }

  private static Code codeOf(Status status) {
    return status == null ? Code.UNKNOWN : status.getCode();
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }
}

package dev.sentrygrpc.spring.boot.jakarta;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.function.Function;
import java.util.function.Supplier;
import net.devh.boot.grpc.server.advice.GrpcAdviceExceptionHandler;
import net.devh.boot.grpc.server.advice.GrpcExceptionHandlerMethodResolver;
import org.springframework.util.function.SingletonSupplier;

/**
 * The status net.devh grpc-spring's {@code @GrpcAdvice} exception handling gives an exception
 * thrown inside it: the {@link SentryGrpcOptions#exceptionStatus()} of the auto-configuration.
 *
 * <p>Why: Sentry's server interceptor runs inside net.devh's {@code GrpcExceptionInterceptor} to
 * see the raw exception, so the call is closed past it and it never learns the status the client
 * got. Asking net.devh gives the transaction that status, and keeps exceptions a {@code
 * @GrpcExceptionHandler} maps to an expected outcome ({@code INVALID_ARGUMENT}, {@code NOT_FOUND})
 * from becoming error events.
 *
 * <p>How: net.devh has no public "status for this exception" call, so it asks the very {@code
 * GrpcAdviceExceptionHandler} bean its interceptor uses to close a stand-in call that only records
 * what it is closed with: the exception handler method is found, called and its answer turned into
 * a status by net.devh's own code, so the answer is the one the client gets. Exceptions no {@code
 * @GrpcExceptionHandler} maps (net.devh matches the exception's class and its superclasses, never
 * its causes) are not handed over: net.devh closes those calls with {@code INTERNAL} ("There was a
 * server error trying to handle an exception") and logs them at ERROR, and asking would log them
 * twice. So they answer {@code INTERNAL} here, which is a captured code by default: they stay
 * errors. This includes a thrown {@code StatusRuntimeException} nothing maps: net.devh answers
 * {@code INTERNAL} for it too, not its own code. A mapped exception's handler method runs twice,
 * once here and once for the client.
 */
final class GrpcAdviceExceptionStatus implements Function<Throwable, Status> {

  /** net.devh's exception interceptor bean ({@code GrpcAdviceAutoConfiguration}). */
  static final String ADVICE_INTERCEPTOR_BEAN = "grpcAdviceExceptionInterceptor";

  /** What net.devh closes a call with when no handler maps its exception, or the handler fails. */
  static final Status UNHANDLED =
      Status.INTERNAL.withDescription("There was a server error trying to handle an exception");

  private final Supplier<GrpcExceptionHandlerMethodResolver> resolver;
  private final Supplier<GrpcAdviceExceptionHandler> handler;

  /**
   * @param resolver net.devh's {@code grpcExceptionHandlerMethodResolver} bean
   * @param handler net.devh's {@code grpcAdviceExceptionHandler} bean, which its exception
   *     interceptor closes calls with
   */
  GrpcAdviceExceptionStatus(
      Supplier<GrpcExceptionHandlerMethodResolver> resolver,
      Supplier<GrpcAdviceExceptionHandler> handler) {
    // Looked up on first use: the beans need the @GrpcAdvice beans, which may need ours.
    this.resolver = SingletonSupplier.of(resolver);
    this.handler = SingletonSupplier.of(handler);
  }

  @Override
  public Status apply(Throwable exception) {
    if (!resolver.get().isMethodMappedForException(exception.getClass())) {
      return UNHANDLED;
    }
    RecordingCall call = new RecordingCall();
    handler.get().handleError(call, exception);
    return call.status != null ? call.status : UNHANDLED;
  }

  @Override
  public String toString() {
    return "GrpcAdviceExceptionStatus";
  }

  /** A call that is never sent anything: it remembers the status it was closed with. */
  private static final class RecordingCall extends ServerCall<Object, Object> {
    Status status;

    @Override
    public void close(Status status, Metadata trailers) {
      this.status = status;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      return null;
    }
  }
}

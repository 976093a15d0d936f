package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.grpc.server.exception.CompositeGrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;
import org.springframework.util.function.SingletonSupplier;

/**
 * The status Spring gRPC's exception handling gives an exception thrown inside it: the {@link
 * SentryGrpcOptions#exceptionStatus()} of the auto-configuration.
 *
 * <p>Why: Sentry's server interceptor runs just inside {@link GrpcExceptionHandlerInterceptor} to
 * see the raw exception, so the call is closed past it and it never learns the status the client
 * got. Asking the same {@link GrpcExceptionHandler} beans, the same way, gives the transaction that
 * status, and keeps exceptions a handler maps to an expected outcome (a refused login mapped to
 * {@code UNAUTHENTICATED} by Spring Security's {@code SecurityGrpcExceptionHandler}, an {@code
 * INVALID_ARGUMENT} of yours) from becoming error events.
 *
 * <p>It does what Spring gRPC's {@code GrpcExceptionHandlerInterceptor} does with the handlers
 * (the same in Spring gRPC 0.12 and 1.1): the first non-null answer of the {@code GrpcExceptionHandler} beans, in the
 * order Spring injects them into the interceptor; without one, {@link Status#fromThrowable}
 * (the status of a {@code StatusRuntimeException} in the cause chain); and, as its {@code
 * GrpcExceptionHandledServerCall} does on close, an {@code UNKNOWN} status with a cause is asked
 * about once more, for the cause. The handlers are thus asked about an exception twice, once here
 * and once by Spring gRPC. A handler that throws counts as no answer. Exceptions nothing maps
 * answer {@code null}, so the interceptor keeps grpc-java's {@code UNKNOWN} (or its {@code
 * INTERNAL} without {@code rethrow}) and captures them.
 */
public final class SpringGrpcExceptionStatus implements Function<Throwable, Status> {

  /** Resolved on first use, once, as Boot's interceptor does when it is created. */
  private final Supplier<GrpcExceptionHandler> handlers;

  /**
   * Asks the given handlers.
   *
   * @param handlers the {@code GrpcExceptionHandler} beans, in the order Spring gives them to the
   *     framework's own interceptor (a {@code List<GrpcExceptionHandler>} in Spring Boot 4, an
   *     {@code ObjectProvider<GrpcExceptionHandler>}'s ordered stream in Spring gRPC 0.x)
   */
  public SpringGrpcExceptionStatus(Supplier<List<GrpcExceptionHandler>> handlers) {
    this.handlers =
        SingletonSupplier.of(
            () ->
                new CompositeGrpcExceptionHandler(
                    handlers.get().toArray(GrpcExceptionHandler[]::new)));
  }

  /**
   * The status Spring gRPC's exception handling gives an exception.
   *
   * @param exception thrown by a service method or an interceptor inside the exception handling
   * @return that status, or {@code null} when nothing maps it (grpc-java's {@code UNKNOWN})
   */
  @Override
  public Status apply(Throwable exception) {
    GrpcExceptionHandler handler = handlers.get();
    Status status = handle(handler, exception);
    if (status == null) {
      status = Status.fromThrowable(exception);
      if (status.getCause() == exception) {
        // No handler and no status in the chain: Spring gRPC answers UNKNOWN, like grpc-java.
        return null;
      }
    }
    if (status.getCode() == Status.Code.UNKNOWN && status.getCause() != null) {
      Throwable cause = status.getCause();
      Status again = handle(handler, cause);
      status = again != null ? again : Status.fromThrowable(cause);
    }
    return status;
  }

  private static Status handle(GrpcExceptionHandler handler, Throwable exception) {
    try {
      StatusException mapped = handler.handleException(exception);
      return mapped == null ? null : mapped.getStatus();
    } catch (RuntimeException handlerFailure) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "SpringGrpcExceptionStatus";
  }
}

package dev.sentrygrpc.armeria;

import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.common.grpc.protocol.ArmeriaStatusException;
import com.linecorp.armeria.common.util.Exceptions;
import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.function.Function;

/**
 * The status Armeria's gRPC server gives an exception a service throws: the {@link
 * SentryGrpcOptions#exceptionStatus()} for services served by Armeria's {@code GrpcService}.
 *
 * <p>Why: grpc-java answers every thrown exception with {@code UNKNOWN}; Armeria does not. It
 * unwraps the exception, answers a {@code StatusRuntimeException} (or {@code StatusException},
 * {@code ArmeriaStatusException}) anywhere in its cause chain with that exception's status, maps
 * some exceptions of its own (a {@code TimeoutException} to {@code DEADLINE_EXCEEDED}, an {@code
 * IOException} to {@code UNAVAILABLE}, ...), and then asks the {@link GrpcExceptionHandlerFunction}
 * given to {@code GrpcServiceBuilder.exceptionHandler}. It closes the call past the Sentry
 * interceptor, which therefore never learns that status. Asking the same function the same way
 * gives the transaction the status the client got, and keeps exceptions that end as an expected
 * status (a {@code Status.NOT_FOUND.asRuntimeException()} thrown by a service, a validation error
 * your handler maps to {@code INVALID_ARGUMENT}) from becoming error events.
 *
 * <pre>{@code
 * GrpcExceptionHandlerFunction handler = ...;   // what you give GrpcServiceBuilder, if anything
 * SentryGrpcOptions options = SentryGrpcOptions.builder()
 *     .exceptionStatus(ArmeriaGrpcExceptionStatus.of(handler))   // or of() without a handler
 *     .build();
 * }</pre>
 *
 * <p>The function is asked with the Armeria {@link RequestContext} current on the thread, as
 * Armeria has it in every listener callback. Where none is current (a service that closes its call
 * from a thread of its own), only the status in the exception's cause chain counts. Exceptions that
 * end as {@code UNKNOWN} answer {@code null}, so the interceptor keeps its own answer for them
 * ({@code UNKNOWN}, or {@code INTERNAL} without {@code rethrow}) and captures them. Per-service
 * {@code @GrpcExceptionHandler} annotations are not seen: give the same mapping here.
 */
public final class ArmeriaGrpcExceptionStatus implements Function<Throwable, Status> {

  private final GrpcExceptionHandlerFunction handler;

  private ArmeriaGrpcExceptionStatus(GrpcExceptionHandlerFunction handler) {
    this.handler = handler;
  }

  /** Armeria's own mapping, for a {@code GrpcService} built without an exception handler. */
  public static ArmeriaGrpcExceptionStatus of() {
    return new ArmeriaGrpcExceptionStatus(GrpcExceptionHandlerFunction.of());
  }

  /**
   * The mapping of a {@code GrpcService} built with {@code exceptionHandler(handler)}: the
   * handler first, then Armeria's default, as the builder does.
   *
   * @param handler the function given to {@code GrpcServiceBuilder.exceptionHandler}
   */
  public static ArmeriaGrpcExceptionStatus of(GrpcExceptionHandlerFunction handler) {
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    return new ArmeriaGrpcExceptionStatus(handler.orElse(GrpcExceptionHandlerFunction.of()));
  }

  /**
   * @return the status Armeria answers {@code exception} with, or {@code null} when that is
   *     {@code UNKNOWN}
   */
  @Override
  public Status apply(Throwable exception) {
    Throwable peeled = unwrap(exception);
    Status status = Status.fromThrowable(peeled);
    RequestContext context = RequestContext.currentOrNull();
    if (context != null) {
      Metadata trailers = Status.trailersFromThrowable(peeled);
      Status mapped =
          handler.apply(context, status, peeled, trailers != null ? trailers : new Metadata());
      if (mapped != null) {
        status = mapped;
      }
    }
    return status.getCode() == Status.Code.UNKNOWN ? null : status;
  }

  /**
   * As Armeria unwraps before mapping: completion and execution wrappers peeled, and an {@code
   * ArmeriaStatusException} in the chain read as the gRPC status it stands for.
   */
  private static Throwable unwrap(Throwable exception) {
    Throwable peeled = Exceptions.peel(exception);
    for (Throwable cause = peeled; cause != null; cause = cause.getCause()) {
      if (cause instanceof ArmeriaStatusException) {
        ArmeriaStatusException armeria = (ArmeriaStatusException) cause;
        return Status.fromCodeValue(armeria.getCode())
            .withDescription(armeria.getMessage())
            .withCause(armeria)
            .asRuntimeException();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return peeled;
  }

  @Override
  public String toString() {
    return "ArmeriaGrpcExceptionStatus";
  }
}

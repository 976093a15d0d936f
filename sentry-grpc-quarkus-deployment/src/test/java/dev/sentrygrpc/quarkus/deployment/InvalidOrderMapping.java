package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.conformance.InvalidOrderException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's own exception mapping, Quarkus's way: {@link InvalidOrderException} becomes
 * INVALID_ARGUMENT (with the exception as its cause), everything else what Quarkus makes of it.
 */
@ApplicationScoped
public class InvalidOrderMapping implements ExceptionHandlerProvider {

  @Override
  public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(
      ServerCall.Listener<ReqT> listener, ServerCall<ReqT, RespT> call, Metadata metadata) {
    return new ExceptionHandler<>(listener, call, metadata) {
      @Override
      protected void handleException(Throwable t, ServerCall<ReqT, RespT> call, Metadata metadata) {
        call.close(toStatus(t), metadata);
      }
    };
  }

  @Override
  public Throwable transform(Throwable t) {
    return toStatus(t).asException();
  }

  private static Status toStatus(Throwable t) {
    if (t instanceof InvalidOrderException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).withCause(t);
    }
    return ExceptionHandlerProvider.toStatus(t);
  }
}

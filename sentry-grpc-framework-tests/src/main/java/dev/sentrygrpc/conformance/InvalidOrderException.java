package dev.sentrygrpc.conformance;

/**
 * What {@link OrdersService} throws for the outcome {@code invalid}: a framework module's own
 * exception handling (a {@code @GrpcAdvice}, a {@code GrpcExceptionHandler}, an {@code
 * ExceptionHandlerProvider}) maps it to {@code INVALID_ARGUMENT} in its tests, to show the
 * transaction takes the mapped status and no event is sent.
 */
public class InvalidOrderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidOrderException(String message) {
    super(message);
  }
}

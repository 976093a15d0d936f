package dev.sentrygrpc.armeria;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * An authentication check inside the Sentry interceptor: a call with {@code x-refuse} is refused
 * with {@code UNAUTHENTICATED} before it starts, as a security interceptor refuses it.
 */
final class RefusingInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> REFUSE =
      Metadata.Key.of("x-refuse", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (headers.containsKey(REFUSE)) {
      throw Status.UNAUTHENTICATED.withDescription("refused").asRuntimeException();
    }
    return next.startCall(call, headers);
  }
}

package dev.sentrygrpc.kotlin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Two interceptors as one, so their order cannot be got wrong: the Sentry interceptor first, and
 * inside it, while the call's scopes are current, the one that hands them to the coroutine.
 */
final class SentryThenCoroutineContext implements ServerInterceptor {
  private final ServerInterceptor sentry;
  private final ServerInterceptor coroutineContext;

  SentryThenCoroutineContext(ServerInterceptor sentry, ServerInterceptor coroutineContext) {
    this.sentry = sentry;
    this.coroutineContext = coroutineContext;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return sentry.interceptCall(
        call, headers, (inner, innerHeaders) -> coroutineContext.interceptCall(inner, innerHeaders, next));
  }

  @Override
  public String toString() {
    return "SentryGrpcKotlin.serverInterceptor(" + sentry + ", " + coroutineContext + ")";
  }
}

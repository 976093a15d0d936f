package dev.sentrygrpc.kotlin;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import io.grpc.ServerInterceptor;

/**
 * Sentry for a grpc-kotlin server in one interceptor: {@link SentryServerInterceptor} with {@link
 * SentryCoroutineContextServerInterceptor} right inside it, the order the coroutine context needs
 * (it takes the scopes the Sentry interceptor made current for the call).
 *
 * <pre>{@code
 * ServerBuilder.forPort(8080)
 *     .addService(new OrderService())                  // grpc-kotlin coroutine services
 *     .intercept(new AuthInterceptor())
 *     .intercept(SentryGrpcKotlin.serverInterceptor())  // added last: runs first
 *     .build();
 * }</pre>
 */
public final class SentryGrpcKotlin {
  private SentryGrpcKotlin() {}

  /** The server interceptor with {@link SentryGrpcOptions#defaults()}. */
  public static ServerInterceptor serverInterceptor() {
    return serverInterceptor(SentryGrpcOptions.defaults());
  }

  /**
   * The server interceptor with these options, for {@code ServerBuilder.intercept} or {@code
   * ServerInterceptors.intercept}; add it where you would add {@link SentryServerInterceptor}, and
   * not that one besides.
   *
   * @throws IllegalStateException as {@link SentryServerInterceptor#SentryServerInterceptor(
   *     SentryGrpcOptions)} does, when the application has no Sentry SDK or one older than 8.22.0
   */
  public static ServerInterceptor serverInterceptor(SentryGrpcOptions options) {
    return new SentryThenCoroutineContext(
        new SentryServerInterceptor(options), new SentryCoroutineContextServerInterceptor());
  }
}

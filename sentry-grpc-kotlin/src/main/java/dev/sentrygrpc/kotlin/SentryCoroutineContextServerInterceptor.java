package dev.sentrygrpc.kotlin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.kotlin.CoroutineContextServerInterceptor;
import io.sentry.Sentry;
import io.sentry.kotlin.SentryContext;
import kotlin.coroutines.CoroutineContext;

/**
 * Carries the call's Sentry scopes into a grpc-kotlin service method's coroutine.
 *
 * <p>Sentry's scopes live in a thread-local; a coroutine that suspends can resume on another
 * thread, which has other scopes. grpc-kotlin adds the context this returns to the coroutine that
 * runs the service method, and {@link SentryContext} makes the scopes current on whatever thread
 * the coroutine runs on.
 *
 * <p>It must run right inside {@code SentryServerInterceptor}: there the scopes current on the
 * thread are the call's (the Sentry interceptor makes them current while the rest of the chain
 * starts the call), so that is what it captures. {@link SentryGrpcKotlin#serverInterceptor()} gives
 * both in that order as one interceptor; to add them yourself with grpc-java's builder, which runs
 * the interceptor added last first:
 *
 * <pre>{@code
 * ServerBuilder.forPort(8080)
 *     .addService(new OrderService())                        // a grpc-kotlin coroutine service
 *     .intercept(new SentryCoroutineContextServerInterceptor())
 *     .intercept(new SentryServerInterceptor())              // added last: runs first
 *     .build();
 * }</pre>
 */
public final class SentryCoroutineContextServerInterceptor extends CoroutineContextServerInterceptor {

  @Override
  public CoroutineContext coroutineContext(ServerCall<?, ?> call, Metadata headers) {
    return new SentryContext(Sentry.getCurrentScopes());
  }

  @Override
  public String toString() {
    return "SentryCoroutineContextServerInterceptor";
  }
}

package dev.sentrygrpc.spring;

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
 * the coroutine runs on. It must run inside the Sentry server interceptor: there the scopes current
 * on the thread are the call's (the Sentry interceptor makes them current while the rest of the
 * chain starts the call), so that is what it captures.
 */
final class SentryCoroutineContextServerInterceptor extends CoroutineContextServerInterceptor {

  @Override
  public CoroutineContext coroutineContext(ServerCall<?, ?> call, Metadata headers) {
    return new SentryContext(Sentry.getCurrentScopes());
  }

  @Override
  public String toString() {
    return "SentryCoroutineContextServerInterceptor";
  }
}

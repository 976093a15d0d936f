package dev.sentrygrpc.quarkus;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.NoOpScopesLifecycleToken;
import io.sentry.Sentry;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Singleton;

/**
 * Makes a traced call's scopes current again where Quarkus moved the rest of the call to another
 * thread or task, after the Sentry interceptor had made them current and returned: {@code
 * @Blocking} and {@code @RunOnVirtualThread} service methods, whose start and every listener
 * callback Quarkus's blocking interceptor ({@code MAX_VALUE - 60}) replays on a worker.
 *
 * <p>Sits just inside that interceptor and outside Quarkus's exception handling ({@code MAX_VALUE -
 * 70}), so exception handlers run within the call's scopes too. Calls the Sentry interceptor does
 * not trace, and calls that were not moved, pass straight through.
 */
@Singleton
@GlobalInterceptor
final class WorkerScopesInterceptor implements ServerInterceptor, Prioritized {
  static final int PRIORITY = Integer.MAX_VALUE - 65;

  @Override
  public int getPriority() {
    return PRIORITY;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!(call instanceof ScopedServerCall)) {
      return next.startCall(call, headers);
    }
    IScopes scopes = ((ScopedServerCall<?, ?>) call).scopes;
    if (Sentry.getCurrentScopes() == scopes) {
      // Started right inside the Sentry interceptor: the callbacks will be, too.
      return next.startCall(call, headers);
    }
    ISentryLifecycleToken token = scopes.makeCurrent();
    try {
      return new Listener<>(next.startCall(call, headers), scopes);
    } finally {
      token.close();
    }
  }

  private static ISentryLifecycleToken enter(IScopes scopes) {
    if (Sentry.getCurrentScopes() == scopes) {
      return NoOpScopesLifecycleToken.getInstance();
    }
    return scopes.makeCurrent();
  }

  /** Every callback within the call's scopes, on whatever thread Quarkus runs it. */
  private static final class Listener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final IScopes scopes;

    Listener(ServerCall.Listener<ReqT> delegate, IScopes scopes) {
      super(delegate);
      this.scopes = scopes;
    }

    @Override
    public void onMessage(ReqT message) {
      try (ISentryLifecycleToken ignored = enter(scopes)) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      try (ISentryLifecycleToken ignored = enter(scopes)) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      try (ISentryLifecycleToken ignored = enter(scopes)) {
        super.onCancel();
      }
    }

    @Override
    public void onComplete() {
      try (ISentryLifecycleToken ignored = enter(scopes)) {
        super.onComplete();
      }
    }

    @Override
    public void onReady() {
      try (ISentryLifecycleToken ignored = enter(scopes)) {
        super.onReady();
      }
    }
  }
}

package dev.sentrygrpc.quarkus;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.sentry.Sentry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * {@link SentryServerInterceptor} on every gRPC service, at the priority {@code
 * quarkus.sentry.grpc.server.priority}. It hands the call's scopes down with the call ({@link
 * ScopedServerCall}), so that {@link WorkerScopesInterceptor} can make them current where Quarkus
 * moves the service to another thread.
 */
@Singleton
@GlobalInterceptor
final class SentryQuarkusServerInterceptor implements ServerInterceptor, Prioritized {
  /** Null when switched off: every call passes straight through. */
  private final SentryServerInterceptor sentry;

  private final int priority;

  @Inject
  SentryQuarkusServerInterceptor(SentryGrpcConfig config, Instance<SentryGrpcOptions> options) {
    this.priority = config.server().priority();
    this.sentry =
        config.enabled() && config.server().enabled()
            ? new SentryServerInterceptor(options.get())
            : null;
  }

  @Override
  public int getPriority() {
    return priority;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (sentry == null) {
      return next.startCall(call, headers);
    }
    return sentry.interceptCall(call, headers, new HandOver<>(call, next));
  }

  /**
   * What the Sentry interceptor starts the rest of the chain with. It does so within the call's
   * scopes, with its own wrapper of the call; a call it does not trace stays the same object.
   */
  private static final class HandOver<ReqT, RespT> implements ServerCallHandler<ReqT, RespT> {
    private final ServerCall<ReqT, RespT> incoming;
    private final ServerCallHandler<ReqT, RespT> next;

    HandOver(ServerCall<ReqT, RespT> incoming, ServerCallHandler<ReqT, RespT> next) {
      this.incoming = incoming;
      this.next = next;
    }

    @Override
    public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers) {
      if (call == incoming) {
        return next.startCall(call, headers);
      }
      return next.startCall(new ScopedServerCall<>(call, Sentry.getCurrentScopes()), headers);
    }
  }
}

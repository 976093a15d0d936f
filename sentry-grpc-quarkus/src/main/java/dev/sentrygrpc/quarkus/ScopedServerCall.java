package dev.sentrygrpc.quarkus;

import io.grpc.ForwardingServerCall;
import io.grpc.ServerCall;
import io.sentry.IScopes;

/**
 * A traced call on its way down Quarkus's interceptor chain, carrying the call's Sentry scopes to
 * {@link WorkerScopesInterceptor}. Quarkus's interceptors between the two pass the call on
 * unwrapped.
 */
final class ScopedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
  final IScopes scopes;

  ScopedServerCall(ServerCall<ReqT, RespT> traced, IScopes scopes) {
    super(traced);
    this.scopes = scopes;
  }
}

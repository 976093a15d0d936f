package dev.sentrygrpc.quarkus;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * {@link SentryClientInterceptor} on every {@code @GrpcClient} (stubs and channels), at the
 * priority {@code quarkus.sentry.grpc.client.priority}.
 */
@Singleton
@GlobalInterceptor
final class SentryQuarkusClientInterceptor implements ClientInterceptor, Prioritized {
  /** Null when switched off: every call passes straight through. */
  private final SentryClientInterceptor sentry;

  private final int priority;

  @Inject
  SentryQuarkusClientInterceptor(SentryGrpcConfig config, Instance<SentryGrpcOptions> options) {
    this.priority = config.client().priority();
    this.sentry =
        config.enabled() && config.client().enabled()
            ? new SentryClientInterceptor(options.get())
            : null;
  }

  @Override
  public int getPriority() {
    return priority;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (sentry == null) {
      return next.newCall(method, callOptions);
    }
    return sentry.interceptCall(method, callOptions, next);
  }
}

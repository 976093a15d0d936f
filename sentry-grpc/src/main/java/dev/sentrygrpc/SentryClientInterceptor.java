package dev.sentrygrpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.SentryLevel;

/**
 * Makes every outgoing gRPC call carry the caller's trace ({@code sentry-trace}, {@code baggage},
 * and {@code traceparent} when the SDK's {@code propagateTraceparent} is on) and, when the caller
 * has a span, shows the call as a {@code grpc.client} child span.
 *
 * <pre>{@code
 * ManagedChannel channel = ManagedChannelBuilder.forTarget("inventory:50051")
 *     .intercept(new SentryClientInterceptor())
 *     .build();
 * }</pre>
 *
 * <p>The call lifecycle lives in {@code TracedClientCall}.
 */
public final class SentryClientInterceptor implements ClientInterceptor {
  private final ClientSettings settings;

  /** An interceptor with {@link SentryGrpcOptions#defaults()}. */
  public SentryClientInterceptor() {
    this(SentryGrpcOptions.defaults());
  }

  /**
   * @throws IllegalStateException when the application has no Sentry SDK, or one older than
   *     8.22.0, on its class path (sentry-grpc does not bring it: your version is the one used)
   */
  public SentryClientInterceptor(SentryGrpcOptions options) {
    Requirements.check();
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    this.settings = new ClientSettings(options);
    SentryGrpcIntegration.register();
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
    try {
      IScopes caller =
          settings.options.scopes() != null ? settings.options.scopes() : Sentry.getCurrentScopes();
      if (!caller.isEnabled()) {
        return call;
      }
      RpcMethod rpcMethod = settings.methods.of(method);
      if (rpcMethod.ignored) {
        return call;
      }
      return new TracedClientCall<>(
          call, settings, rpcMethod, caller, next.authority(), effectiveDeadline(callOptions));
    } catch (Throwable t) {
      Sentry.getCurrentScopes()
          .getOptions()
          .getLogger()
          .log(
              SentryLevel.DEBUG,
              t,
              "sentry-grpc: call to %s not traced",
              method.getFullMethodName());
      return call;
    }
  }

  /**
   * The deadline grpc-java enforces: the earlier of the call's own and the one inherited from the
   * caller's {@link Context}, e.g. inside a server handler whose incoming call has a deadline.
   * grpc-java takes the Context of the thread that creates the call, which is this one.
   */
  private static Deadline effectiveDeadline(CallOptions callOptions) {
    Deadline own = callOptions.getDeadline();
    Deadline inherited = Context.current().getDeadline();
    if (inherited == null) {
      return own;
    }
    return own == null || inherited.isBefore(own) ? inherited : own;
  }
}

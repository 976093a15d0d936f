package dev.sentrygrpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sentry.IScopes;
import io.sentry.SentryLevel;

/**
 * Gives every incoming gRPC call a Sentry transaction ({@code grpc.server}) in scopes of its own,
 * continues the caller's trace from {@code sentry-trace}/{@code baggage} metadata, and captures
 * exceptions the service throws.
 *
 * <pre>{@code
 * Server server = ServerBuilder.forPort(8080)
 *     .addService(new OrderService())
 *     .intercept(new SentryServerInterceptor())   // added last: runs first
 *     .build();
 * }</pre>
 *
 * <p>Add it so that it runs outermost: it then sees failures of the other interceptors too. The
 * call lifecycle lives in {@code TracedServerCall}.
 */
public final class SentryServerInterceptor implements ServerInterceptor {
  private final SentryGrpcOptions options;
  private final RpcMethods methods;
  private final MetadataCapture metadata;
  private final IgnoredOrigin ignoredOrigin;
  private final CallTelemetry telemetry;

  /** An interceptor with {@link SentryGrpcOptions#defaults()}. */
  public SentryServerInterceptor() {
    this(SentryGrpcOptions.defaults());
  }

  /**
   * @throws IllegalStateException when the application has no Sentry SDK, or one older than
   *     8.22.0, on its class path (sentry-grpc does not bring it: your version is the one used)
   */
  public SentryServerInterceptor(SentryGrpcOptions options) {
    Requirements.check();
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    this.options = options;
    this.methods = new RpcMethods(options.ignoredMethods());
    this.metadata = new MetadataCapture(options.capturedMetadata());
    this.ignoredOrigin = new IgnoredOrigin(TracedServerCall.ORIGIN);
    this.telemetry = CallTelemetry.create(options, CallSide.SERVER);
    SentryGrpcIntegration.register();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    IScopes root = CallScopes.root(options.scopes());
    RpcMethod method = null;
    try {
      if (root.isEnabled() && !ignoredOrigin.isIgnored(root.getOptions())) {
        method = methods.of(call.getMethodDescriptor());
      }
    } catch (Throwable t) {
      root.getOptions().getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: call not traced");
    }
    if (method == null || method.ignored) {
      return next.startCall(call, headers);
    }
    return TracedServerCall.start(options, metadata, telemetry, method, root, call, headers, next);
  }
}

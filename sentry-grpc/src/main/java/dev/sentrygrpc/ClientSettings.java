package dev.sentrygrpc;

/** What every call of one client interceptor shares, worked out once. */
final class ClientSettings {
  final SentryGrpcOptions options;
  final RpcMethods methods;
  final IgnoredOrigin ignoredOrigin = new IgnoredOrigin(TracedClientCall.ORIGIN);
  final PropagationTargets propagationTargets = new PropagationTargets();
  final OutgoingTraceHeaders traceHeaders = new OutgoingTraceHeaders();
  /** Metrics and call logs, or null when both are off. */
  final CallTelemetry telemetry;

  ClientSettings(SentryGrpcOptions options) {
    this.options = options;
    this.methods = new RpcMethods(options.ignoredMethods());
    this.telemetry = CallTelemetry.create(options, CallSide.CLIENT);
  }
}

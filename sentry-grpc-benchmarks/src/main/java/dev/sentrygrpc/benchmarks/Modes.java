package dev.sentrygrpc.benchmarks;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The instrumentation modes the RPC benchmarks compare; each instruments client AND server. */
final class Modes {
  /** No interceptor at all. */
  static final String NONE = "none";
  /** No-op ForwardingServerCall/ForwardingClientCall interceptors: the floor of any interceptor. */
  static final String FORWARDING = "forwarding";
  /** sentry-grpc's interceptors, the SDK never initialised (Sentry.close() first). */
  static final String SENTRY_DISABLED = "sentry-disabled";
  /** SDK on with a DSN, tracing off (no tracesSampleRate), a transport that discards. */
  static final String ERRORS_ONLY = "errors-only";
  /** tracesSampleRate 0.0, a transport that discards. */
  static final String UNSAMPLED = "unsampled";
  /** tracesSampleRate 1.0, a transport that discards. */
  static final String SAMPLED = "sampled";
  /** tracesSampleRate 1.0, the SDK's real HTTP transport to a local receiver (another JVM). */
  static final String SAMPLED_HTTP = "sampled-http";
  /** sampled-http with the receiver holding every request for 10 s (issue 7). */
  static final String STALLED_BACKEND = "stalled-backend";
  /** OpenTelemetry's grpc-1.6 library interceptors, OpenTelemetry SDK, always-on sampler. */
  static final String OTEL = "otel";

  static final List<String> ALL =
      Collections.unmodifiableList(
          Arrays.asList(
              NONE,
              FORWARDING,
              SENTRY_DISABLED,
              ERRORS_ONLY,
              UNSAMPLED,
              SAMPLED,
              SAMPLED_HTTP,
              STALLED_BACKEND,
              OTEL));

  private Modes() {}

  static boolean usesSentry(String mode) {
    return mode.equals(ERRORS_ONLY)
        || mode.equals(UNSAMPLED)
        || mode.equals(SAMPLED)
        || mode.equals(SAMPLED_HTTP)
        || mode.equals(STALLED_BACKEND);
  }

  static boolean usesSentryInterceptors(String mode) {
    return usesSentry(mode) || mode.equals(SENTRY_DISABLED);
  }

  static boolean usesReceiver(String mode) {
    return mode.equals(SAMPLED_HTTP) || mode.equals(STALLED_BACKEND);
  }

  static void check(String mode) {
    if (!ALL.contains(mode)) {
      throw new IllegalArgumentException("unknown mode " + mode + "; one of " + ALL);
    }
  }
}

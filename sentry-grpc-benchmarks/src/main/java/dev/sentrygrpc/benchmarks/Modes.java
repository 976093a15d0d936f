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
  /** errors-only with sentry-grpc's RPC metrics on (issue 16): what counting every call adds. */
  static final String ERRORS_ONLY_METRICS = "errors-only+metrics";
  /** sampled with sentry-grpc's RPC metrics on. */
  static final String SAMPLED_METRICS = "sampled+metrics";

  private static final String WITH_METRICS = "+metrics";

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
              OTEL,
              ERRORS_ONLY_METRICS,
              SAMPLED_METRICS));

  private Modes() {}

  /** The mode without "+metrics": how the SDK is set up. */
  static String base(String mode) {
    return withMetrics(mode) ? mode.substring(0, mode.length() - WITH_METRICS.length()) : mode;
  }

  /** Whether the interceptors count every call in RPC metrics. */
  static boolean withMetrics(String mode) {
    return mode.endsWith(WITH_METRICS);
  }

  static boolean usesSentry(String mode) {
    mode = base(mode);
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

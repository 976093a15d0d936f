package dev.sentrygrpc;

import io.sentry.IScopes;
import io.sentry.SentryOptions;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * The SDK's metrics API ({@code IScopes.metrics()}, since io.sentry:sentry 8.30.0), reached
 * through method handles found once: this library compiles against 8.22.0, which has no metrics
 * API, and must keep working there. Used only when intervals are flushed, never on a call (so the
 * handles are called with {@code invokeWithArguments}: a few hundred nanoseconds more per point,
 * and plain Java 8 API).
 */
final class SentryMetricsApi {
  private static final SentryMetricsApi INSTANCE = find();

  private final MethodHandle metrics;
  private final MethodHandle count;
  private final MethodHandle distribution;
  private final MethodHandle parameters;
  private final MethodHandle setOrigin;
  private final MethodHandle metricsOptions;
  private final MethodHandle isEnabled;

  private SentryMetricsApi(
      MethodHandle metrics,
      MethodHandle count,
      MethodHandle distribution,
      MethodHandle parameters,
      MethodHandle setOrigin,
      MethodHandle metricsOptions,
      MethodHandle isEnabled) {
    this.metrics = metrics;
    this.count = count;
    this.distribution = distribution;
    this.parameters = parameters;
    this.setOrigin = setOrigin;
    this.metricsOptions = metricsOptions;
    this.isEnabled = isEnabled;
  }

  /** The SDK's metrics API, or null when the SDK on the class path is older than 8.30.0. */
  static SentryMetricsApi get() {
    return INSTANCE;
  }

  private static SentryMetricsApi find() {
    try {
      ClassLoader loader = IScopes.class.getClassLoader();
      Class<?> api = Class.forName("io.sentry.metrics.IMetricsApi", false, loader);
      Class<?> params = Class.forName("io.sentry.metrics.SentryMetricsParameters", false, loader);
      Class<?> options = Class.forName("io.sentry.SentryOptions$Metrics", false, loader);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodType point = MethodType.methodType(void.class, String.class, Double.class, String.class, params);
      MethodType erasedPoint =
          MethodType.methodType(
              void.class, Object.class, String.class, Double.class, String.class, Object.class);
      return new SentryMetricsApi(
          lookup
              .findVirtual(IScopes.class, "metrics", MethodType.methodType(api))
              .asType(MethodType.methodType(Object.class, IScopes.class)),
          lookup.findVirtual(api, "count", point).asType(erasedPoint),
          lookup.findVirtual(api, "distribution", point).asType(erasedPoint),
          lookup
              .findStatic(params, "create", MethodType.methodType(params, Map.class))
              .asType(MethodType.methodType(Object.class, Map.class)),
          lookup
              .findVirtual(params, "setOrigin", MethodType.methodType(void.class, String.class))
              .asType(MethodType.methodType(void.class, Object.class, String.class)),
          lookup
              .findVirtual(SentryOptions.class, "getMetrics", MethodType.methodType(options))
              .asType(MethodType.methodType(Object.class, SentryOptions.class)),
          lookup
              .findVirtual(options, "isEnabled", MethodType.methodType(boolean.class))
              .asType(MethodType.methodType(boolean.class, Object.class)));
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | LinkageError e) {
      return null;
    }
  }

  /** Whether the user left Sentry's metrics on ({@code options.getMetrics().isEnabled()}). */
  boolean isEnabled(SentryOptions options) {
    try {
      return Boolean.TRUE.equals(isEnabled.invokeWithArguments(metricsOptions.invokeWithArguments(options)));
    } catch (Throwable t) {
      return false;
    }
  }

  /** A counter point: {@code scopes.metrics().count(name, value, null, parameters)}. */
  void count(IScopes scopes, String name, double value, Map<String, Object> attributes, String origin)
      throws Throwable {
    Object api = metrics.invokeWithArguments(scopes);
    count.invokeWithArguments(api, name, value, null, parameters(attributes, origin));
  }

  /** A distribution point: {@code scopes.metrics().distribution(name, value, unit, parameters)}. */
  void distribution(
      IScopes scopes,
      String name,
      double value,
      String unit,
      Map<String, Object> attributes,
      String origin)
      throws Throwable {
    Object api = metrics.invokeWithArguments(scopes);
    distribution.invokeWithArguments(api, name, value, unit, parameters(attributes, origin));
  }

  private Object parameters(Map<String, Object> attributes, String origin) throws Throwable {
    Object created = parameters.invokeWithArguments(attributes);
    setOrigin.invokeWithArguments(created, origin);
    return created;
  }
}

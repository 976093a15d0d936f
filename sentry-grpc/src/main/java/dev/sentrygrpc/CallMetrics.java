package dev.sentrygrpc;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.SentryOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The RPC metrics of one interceptor: every finished call counted in its method's {@link
 * MethodStats}, and the counts sent as metric points every interval by a {@link MetricsFlusher}.
 * Volume follows the number of distinct (method, status code) pairs and latencies, never the
 * number of calls.
 *
 * <p>On the call path: one volatile read to see that the SDK is still the one flushed to, the
 * method's statistics read off its cached {@link RpcMethod}, and {@link CodeStats#record}.
 */
final class CallMetrics {
  /** OpenTelemetry's name for a method this instrumentation does not keep apart. */
  static final String OTHER_METHOD = "_OTHER";

  final CallSide side;
  private final long intervalMillis;
  private final IScopes explicitScopes;
  private final SentryMetricsApi api;

  private final List<MethodStats> methods = new CopyOnWriteArrayList<>();
  /**
   * Methods past {@link RpcMethods#MAX_CACHED} (proxies that make descriptors on the fly) share
   * one {@code _OTHER} per method type, so their number cannot grow the volume.
   */
  private final MethodStats[] others = new MethodStats[MethodDescriptor.MethodType.values().length];

  private volatile MetricsFlusher flusher;
  /**
   * Drains take this lock, binding takes this object's: a flusher holds its own lock while it
   * drains, and binding closes the previous flusher, so one lock for both could deadlock.
   */
  private final Object drainLock = new Object();

  private CallMetrics(SentryGrpcOptions options, CallSide side, SentryMetricsApi api) {
    this.side = side;
    this.intervalMillis = options.metricsInterval().toMillis();
    this.explicitScopes = options.scopes();
    this.api = api;
  }

  /**
   * Metrics for one interceptor, or null when they are off or the SDK has no metrics API (older
   * than 8.30.0): then nothing is recorded at all.
   */
  static CallMetrics create(SentryGrpcOptions options, CallSide side) {
    if (!options.metrics()) {
      return null;
    }
    SentryMetricsApi api = SentryMetricsApi.get();
    if (api == null) {
      CallScopes.root(options.scopes())
          .getOptions()
          .getLogger()
          .log(
              io.sentry.SentryLevel.WARNING,
              "sentry-grpc: RPC metrics need io.sentry:sentry 8.30.0 or newer; none are recorded");
      return null;
    }
    return new CallMetrics(options, side, api);
  }

  /** One finished call. */
  void record(
      SentryOptions sentry,
      RpcMethod method,
      Status.Code code,
      long nanos,
      int received,
      int sent,
      ISpan span) {
    MetricsFlusher current = flusher;
    if (current == null || current.options != sentry) {
      bind(sentry);
    }
    statsOf(method).of(code).record(nanos, received, sent, span);
  }

  private MethodStats statsOf(RpcMethod method) {
    MethodStats stats = method.stats;
    if (stats != null) {
      return stats;
    }
    if (!method.cached) {
      return other(method);
    }
    synchronized (method) {
      if (method.stats == null) {
        MethodStats created = new MethodStats(side, method.fullName, method.type, method.streaming);
        methods.add(created);
        method.stats = created;
      }
      return method.stats;
    }
  }

  private synchronized MethodStats other(RpcMethod method) {
    int index = method.descriptor.getType().ordinal();
    if (others[index] == null) {
      others[index] = new MethodStats(side, OTHER_METHOD, method.type, method.streaming);
      methods.add(others[index]);
    }
    return others[index];
  }

  /**
   * A first call, or the first after a new {@code Sentry.init}: a flusher for this SDK. What the
   * previous one had not sent yet goes with the new one's first interval.
   */
  private synchronized void bind(SentryOptions sentry) {
    MetricsFlusher current = flusher;
    if (current != null && current.options == sentry) {
      return;
    }
    if (current != null) {
      current.close();
    }
    IScopes root = CallScopes.root(explicitScopes);
    // As a call forks its scopes: scopes given in the options are forked, not the SDK's root.
    IScopes scopes =
        explicitScopes != null ? root.forkedScopes("grpc.metrics") : root.forkedRootScopes("grpc.metrics");
    MetricsFlusher created = new MetricsFlusher(this, api, sentry, scopes);
    created.start(intervalMillis);
    flusher = created;
  }

  /** Everything recorded since the last drain, to the flusher's sink. One drain at a time. */
  void drain(CodeStats.Sink sink) {
    synchronized (drainLock) {
      for (MethodStats stats : methods) {
        stats.drain(sink);
      }
    }
  }
}

package dev.sentrygrpc;

import io.sentry.IScopes;
import io.sentry.Integration;
import io.sentry.PropagationContext;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import java.io.Closeable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends the call statistics of one {@link CallMetrics} to one initialised SDK: every interval, and
 * a last time when that SDK closes.
 *
 * <p>It joins the SDK's integrations after {@code Sentry.init} (so its {@link #register} is never
 * called): {@code Scopes.close} closes every {@link Closeable} integration first, while the client
 * still takes metrics, and only then flushes the client's metrics batch and its transport. So what
 * {@link #close} sends still leaves the process, and after it nothing is sent again: flushing stops
 * with {@code Sentry.close()}.
 *
 * <p>The timer is one daemon thread shared by all flushers, not the SDK's executor, which drops a
 * task silently when its queue is full (the flushing would then stop for good). The thread ends
 * itself a minute after the last flusher closed.
 */
final class MetricsFlusher implements Integration, Closeable {
  static final String SAMPLE_RATE = "sentry.client_sample_rate";
  private static final String SECOND = "second";
  private static final double NANOS_PER_SECOND = 1e9;

  /** The SDK instance this flusher sends to; a new {@code Sentry.init} gets a new flusher. */
  final SentryOptions options;

  private final CallMetrics metrics;
  private final SentryMetricsApi api;
  /** Scopes of its own, forked once from the root: the flush sets their trace for each point. */
  private final IScopes scopes;

  private ScheduledFuture<?> schedule;
  private boolean closed;

  MetricsFlusher(CallMetrics metrics, SentryMetricsApi api, SentryOptions options, IScopes scopes) {
    this.metrics = metrics;
    this.api = api;
    this.options = options;
    this.scopes = scopes;
  }

  /** Joins the SDK's integrations and starts the interval timer. */
  synchronized void start(long intervalMillis) {
    options.getIntegrations().add(this);
    schedule =
        Timer.INSTANCE.scheduleWithFixedDelay(
            this::flush, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void register(IScopes scopes, SentryOptions options) {
    // Added after Sentry.init: the SDK never registers it, it only closes it.
  }

  /** Sends the last interval and stops. Called by {@code Scopes.close}, or when the SDK changed. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      flush();
      closed = true;
      if (schedule != null) {
        schedule.cancel(false);
      }
    }
    options.getIntegrations().remove(this);
  }

  /** One interval; never throws (a periodic task that throws is never run again). */
  private synchronized void flush() {
    if (closed) {
      return;
    }
    try {
      // Turned off in the SDK: nothing is sent, and nothing piles up for later either.
      metrics.drain(api.isEnabled(options) ? new Points() : DISCARD);
    } catch (Throwable t) {
      options.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: could not send RPC metrics");
    }
  }

  private static final CodeStats.Sink DISCARD =
      new CodeStats.Sink() {
        @Override
        public void bucket(CodeStats stats, int bucket, long calls, CodeStats.Exemplar exemplar) {}

        @Override
        public void totals(
            CodeStats stats, long calls, long received, long sent, CodeStats.Exemplar exemplar) {}
      };

  /** Turns one drain into metric points, each in the trace of a sampled call when it has one. */
  private final class Points implements CodeStats.Sink {
    /** The trace of the points without a sampled call: one per flush, with nothing else in it. */
    private final PropagationContext unsampled = new PropagationContext();

    @Override
    public void bucket(CodeStats stats, int bucket, long calls, CodeStats.Exemplar exemplar) {
      Map<String, Object> attributes = stats.attributes;
      if (calls > 1) {
        // One point stands for `calls` calls of this latency: Sentry weighs a point by the
        // inverse of its client sample rate, so counts, sums and percentiles come out whole.
        Map<String, Object> weighted = new LinkedHashMap<>(attributes);
        weighted.put(SAMPLE_RATE, 1.0 / calls);
        attributes = weighted;
      }
      Map<String, Object> sent = attributes;
      inTraceOf(exemplar);
      send(
          () ->
              api.distribution(
                  scopes,
                  metrics.side.durationMetric,
                  LatencyBuckets.representativeNanos(bucket) / NANOS_PER_SECOND,
                  SECOND,
                  sent,
                  metrics.side.origin));
    }

    @Override
    public void totals(
        CodeStats stats, long calls, long received, long sent, CodeStats.Exemplar exemplar) {
      inTraceOf(exemplar);
      CallSide side = metrics.side;
      send(() -> api.count(scopes, side.callsMetric, calls, stats.attributes, side.origin));
      if (received > 0) {
        send(() -> api.count(scopes, side.messagesReceivedMetric, received, stats.attributes, side.origin));
      }
      if (sent > 0) {
        send(() -> api.count(scopes, side.messagesSentMetric, sent, stats.attributes, side.origin));
      }
    }

    /** The SDK takes a point's trace from the scopes it is sent through. */
    private void inTraceOf(CodeStats.Exemplar exemplar) {
      PropagationContext trace =
          exemplar == null
              ? unsampled
              : new PropagationContext(exemplar.traceId, exemplar.spanId, null, null, Boolean.TRUE);
      scopes.getScope().setPropagationContext(trace);
      scopes.getIsolationScope().setPropagationContext(trace);
    }

    private void send(Point point) {
      try {
        point.send();
      } catch (Throwable t) {
        options.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: could not send an RPC metric");
      }
    }
  }

  private interface Point {
    void send() throws Throwable;
  }

  /** The shared timer thread, made when the first flusher starts. */
  private static final class Timer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "sentry-grpc-metrics");
                thread.setDaemon(true);
                // Not the creating request thread's loader (a web application's, perhaps).
                thread.setContextClassLoader(MetricsFlusher.class.getClassLoader());
                return thread;
              });
      timer.setRemoveOnCancelPolicy(true);
      timer.setKeepAliveTime(1, TimeUnit.MINUTES);
      timer.allowCoreThreadTimeOut(true);
      return timer;
    }
  }
}

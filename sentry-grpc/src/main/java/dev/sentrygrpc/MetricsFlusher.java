package dev.sentrygrpc;

import io.sentry.IScopes;
import io.sentry.Integration;
import io.sentry.PropagationContext;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import java.io.Closeable;
import java.util.List;
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
      IntervalPoints interval = new IntervalPoints(metrics.side, IntervalPoints.MAX_POINTS);
      metrics.drain(interval);
      if (!api.isEnabled(options)) {
        // Turned off in the SDK: nothing is sent, and nothing piles up for later either.
        return;
      }
      List<IntervalPoints.Point> points = interval.points();
      if (interval.merged > 1 || interval.leftOut > 0) {
        options
            .getLogger()
            .log(
                SentryLevel.WARNING,
                "sentry-grpc: %d RPC metric points this interval, past the budget of %d: latency"
                    + " buckets merged %d at a time, %d distribution points left out (counts are"
                    + " all sent)",
                points.size() + interval.leftOut,
                IntervalPoints.MAX_POINTS,
                interval.merged,
                interval.leftOut);
      }
      PropagationContext unsampled = new PropagationContext();
      for (IntervalPoints.Point point : points) {
        send(point, unsampled);
      }
    } catch (Throwable t) {
      options.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: could not send RPC metrics");
    }
  }

  private void send(IntervalPoints.Point point, PropagationContext unsampled) {
    try {
      // The SDK takes a point's trace from the scopes it is sent through: a sampled call's, or
      // one per flush with nothing else in it.
      CodeStats.Exemplar exemplar = point.exemplar;
      PropagationContext trace =
          exemplar == null
              ? unsampled
              : new PropagationContext(exemplar.traceId, exemplar.spanId, null, null, Boolean.TRUE);
      scopes.getScope().setPropagationContext(trace);
      scopes.getIsolationScope().setPropagationContext(trace);
      if (point.counter) {
        api.count(scopes, point.name, point.value, point.attributes, metrics.side.origin);
      } else {
        api.distribution(
            scopes, point.name, point.value, IntervalPoints.SECOND, point.attributes, metrics.side.origin);
      }
    } catch (Throwable t) {
      options.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: could not send an RPC metric");
    }
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

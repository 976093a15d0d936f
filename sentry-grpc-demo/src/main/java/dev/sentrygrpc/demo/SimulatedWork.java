package dev.sentrygrpc.demo;

import io.grpc.Context;
import io.sentry.ISpan;
import io.sentry.NoOpSpan;
import io.sentry.Sentry;
import io.sentry.SpanStatus;

/**
 * Stand-ins for the databases and HTTP APIs real handlers talk to. Each one is a child span made
 * with the plain Sentry API, exactly as an application would write it: that the interceptor's
 * transaction is the current span inside a handler is what the demo shows.
 */
final class SimulatedWork {

  private SimulatedWork() {}

  /** A database query of a few milliseconds, as a {@code db.query} span. */
  static void dbQuery(String sql, long millis) {
    ISpan span = startChild("db.query", sql);
    span.setData("db.system", "postgresql");
    try {
      sleep(millis);
      span.setStatus(SpanStatus.OK);
    } finally {
      // Finished before anything else happens in the handler: an open span would become the
      // parent of the next outgoing call's span.
      span.finish();
    }
  }

  /**
   * Waits up to {@code millis}, but gives up as soon as the gRPC call is cancelled (the caller's
   * deadline passed or it went away): returns false then. Well-behaved handlers stop working for
   * callers that stopped waiting.
   */
  static boolean workUnlessCancelled(long millis) {
    Context context = Context.current();
    long until = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < until) {
      if (context.isCancelled()) {
        return false;
      }
      sleep(2);
    }
    return !context.isCancelled();
  }

  /** A child of the current span (the handler's transaction), or a no-op span when untraced. */
  static ISpan startChild(String op, String description) {
    ISpan parent = Sentry.getSpan();
    return parent != null ? parent.startChild(op, description) : NoOpSpan.getInstance();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.sentrygrpc.testing;

import java.time.Duration;

/**
 * Switches a {@link SentryReceiver} into a fault mode at run time, to see what the SDK (and the
 * code calling it) does when Sentry misbehaves. Thread-safe; a switch applies to requests that
 * arrive after it (and releases requests that are currently stalled).
 *
 * <p>An answer mode ({@link #serverError()}, {@link #respondWith(int)}, {@link
 * #retryAfter(Duration)}, {@link #rateLimits(String)}, {@link #dropConnections()}, {@link
 * #refuseConnections()}) replaces the previous answer mode; {@link #stall(Duration)} combines with
 * any of them. {@link #healthy()} ends every fault. Requests answered by a fault are counted in
 * {@link SentryReceiver#refusedRequests()}, and what they carried (when it decodes) is kept in
 * {@link SentryReceiver#refusedEnvelopes()}, never in the received lists.
 */
public final class Faults {

  private final Listener listener;
  private FaultPlan plan = FaultPlan.HEALTHY;
  /** Bumped by every switch, so that stalled requests notice that the plan changed. */
  private long generation;
  private boolean closed;

  Faults(Listener listener) {
    this.listener = listener;
  }

  /** Answers every request with {@code 500 Internal Server Error}. */
  public Faults serverError() {
    return respondWith(500);
  }

  /**
   * Answers every request with the given error status, for example 503, 413 (envelope too large)
   * or 400.
   *
   * @param status an HTTP status from 400 to 599
   */
  public Faults respondWith(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status is 400..599, not " + status);
    }
    return answer(FaultPlan.status(status, null, null));
  }

  /**
   * Answers every request with {@code 429 Too Many Requests} and {@code Retry-After: <seconds>}:
   * the SDK then stops sending anything at all for that long.
   */
  public Faults retryAfter(Duration retryAfter) {
    return answer(FaultPlan.status(429, "Retry-After", String.valueOf(retryAfter.getSeconds())));
  }

  /**
   * Answers every request with {@code 429 Too Many Requests} and the given {@code
   * X-Sentry-Rate-Limits} header, for example {@code "60:transaction:key"} (no transactions for 60
   * seconds) or {@code "60::organization"} (nothing for 60 seconds). The format is {@code
   * seconds:categories(;-separated):scope}, limits separated by commas.
   */
  public Faults rateLimits(String sentryRateLimits) {
    return answer(FaultPlan.status(429, "X-Sentry-Rate-Limits", sentryRateLimits));
  }

  /**
   * Reads each request and then closes the connection without answering: the SDK sees an I/O
   * error ("unexpected end of file from server").
   */
  public Faults dropConnections() {
    return answer(FaultPlan.of(FaultPlan.Answer.DROP_CONNECTION));
  }

  /**
   * Stops listening, so connections are refused by the operating system, as when Sentry (or the
   * network to it) is down. The port is kept: any other mode, or {@link #healthy()}, listens again
   * on the same port, so the DSN stays valid.
   */
  public Faults refuseConnections() {
    return answer(FaultPlan.of(FaultPlan.Answer.REFUSE_CONNECTION));
  }

  /**
   * Holds every request this long before answering it (as the current answer mode says at the end
   * of the stall). A stall ends early when the faults are switched, for example by {@link
   * #healthy()}, so a test never waits for a long stall to run out.
   */
  public synchronized Faults stall(Duration stall) {
    if (stall.isNegative()) {
      throw new IllegalArgumentException("a stall cannot be negative: " + stall);
    }
    switchTo(plan.withStall(stall));
    return this;
  }

  /** Ends every fault: listen again if needed, answer normally, no stall. */
  public synchronized Faults healthy() {
    switchTo(FaultPlan.HEALTHY);
    return this;
  }

  /** Whether no fault is active. */
  public synchronized boolean isHealthy() {
    return plan.isHealthy();
  }

  /** The active faults, e.g. {@code "answer 429 with Retry-After: 60, stall 2000 ms"}. */
  @Override
  public synchronized String toString() {
    return plan.toString();
  }

  private synchronized Faults answer(FaultPlan answer) {
    switchTo(plan.withAnswerOf(answer));
    return this;
  }

  private void switchTo(FaultPlan next) {
    plan = next;
    generation++;
    if (next.answer() == FaultPlan.Answer.REFUSE_CONNECTION) {
      listener.stopListening();
    } else {
      listener.listen();
    }
    notifyAll();
  }

  synchronized FaultPlan current() {
    return plan;
  }

  /**
   * Waits out the stall of the current plan, if any, then returns the plan to answer with. Returns
   * early when the plan is switched or the receiver closes.
   */
  synchronized FaultPlan awaitStall() throws InterruptedException {
    long startedIn = generation;
    long deadline = System.nanoTime() + plan.stall().toNanos();
    while (!closed && generation == startedIn) {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000L;
      if (remainingMillis <= 0) {
        break;
      }
      wait(remainingMillis);
    }
    return plan;
  }

  synchronized void close() {
    closed = true;
    generation++;
    notifyAll();
  }
}

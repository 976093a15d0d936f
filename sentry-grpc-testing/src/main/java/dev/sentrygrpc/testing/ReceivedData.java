package dev.sentrygrpc.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a receiver got, shared between the HTTP threads that add to it and the test thread that
 * reads and awaits it. Its monitor is notified on every change, so awaiting never polls.
 */
final class ReceivedData {

  private final List<ReceivedEnvelope> received = new ArrayList<>();
  private final List<ReceivedEnvelope> refused = new ArrayList<>();
  private int receivedRequests;
  private int refusedRequests;

  synchronized void accept(ReceivedEnvelope envelope) {
    received.add(envelope);
    receivedRequests++;
    notifyAll();
  }

  /**
   * Counts a refused request; keeps what it carried if that decoded (null if it did not), so a
   * test can see that the SDK tried.
   */
  synchronized void refuse(ReceivedEnvelope carried) {
    if (carried != null) {
      refused.add(carried);
    }
    refusedRequests++;
    notifyAll();
  }

  synchronized List<ReceivedEnvelope> received() {
    return new ArrayList<>(received);
  }

  synchronized List<ReceivedEnvelope> refused() {
    return new ArrayList<>(refused);
  }

  synchronized int receivedRequests() {
    return receivedRequests;
  }

  synchronized int refusedRequests() {
    return refusedRequests;
  }

  synchronized void clear() {
    received.clear();
    refused.clear();
    receivedRequests = 0;
    refusedRequests = 0;
    notifyAll();
  }

  /**
   * Looks at {@code probe} each time something arrives until {@code done} accepts it, and returns
   * it; fails with what did arrive when {@code timeout} passes first.
   *
   * @param expectation what was awaited, as the start of a sentence: "2 events"
   * @param lastSeen what to add to the failure about the last value probed, or null for nothing
   */
  <T> T await(
      Duration timeout,
      Supplier<T> probe,
      Predicate<? super T> done,
      String expectation,
      Function<? super T, String> lastSeen) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError(
              "expected "
                  + expectation
                  + " within "
                  + timeout.toMillis()
                  + " ms, but "
                  + Summaries.whatArrived(received, refused, refusedRequests)
                  + (lastSeen == null ? "" : "\n" + lastSeen.apply(value)));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + expectation, e);
        }
      }
    }
  }

  @Override
  public synchronized String toString() {
    return Summaries.whatArrived(received, refused, refusedRequests);
  }
}

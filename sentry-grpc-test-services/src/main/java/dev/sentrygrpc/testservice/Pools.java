package dev.sentrygrpc.testservice;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Ends a server's executor the way a test that counts transactions must. */
public final class Pools {
  private Pools() {}

  /**
   * Lets the tasks already queued run, then stops. Not {@code shutdownNow} first: a call's last
   * callback ({@code onComplete}, which finishes its transaction) can still be queued on the
   * server's executor after its client has the answer, and dropping it loses the transaction.
   */
  public static void drain(ExecutorService pool) throws InterruptedException {
    pool.shutdown();
    if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
      pool.shutdownNow();
    }
  }
}

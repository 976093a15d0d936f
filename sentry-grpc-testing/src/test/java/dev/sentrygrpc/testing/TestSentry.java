package dev.sentrygrpc.testing;

import io.sentry.Sentry;
import io.sentry.SentryOptions;

/** Starts the real SDK (real HTTP transport) against a receiver, with short timeouts. */
final class TestSentry {

  /** Generous: flush returns as soon as the SDK's queue is empty, this is only a bound. */
  static final long FLUSH_MILLIS = 5000;

  interface Tweaks {
    void apply(SentryOptions options);
  }

  private TestSentry() {}

  static void init(SentryReceiver receiver) {
    init(receiver, options -> {});
  }

  static void init(final SentryReceiver receiver, final Tweaks tweaks) {
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
          options.setRelease("receiver-test@1.0.0");
          options.setEnvironment("test");
          options.setEnableUncaughtExceptionHandler(false);
          // Closing must not wait for a stalled request any longer than this.
          options.setShutdownTimeoutMillis(500);
          options.setFlushTimeoutMillis(500);
          tweaks.apply(options);
        });
  }

  static void flush() {
    Sentry.flush(FLUSH_MILLIS);
  }
}

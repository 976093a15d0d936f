package dev.sentrygrpc.reliability;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Status;
import io.sentry.Sentry;
import java.util.concurrent.TimeUnit;

/**
 * A service process that follows the README's shutdown order, makes one failing call and exits
 * at once. Run by {@link ShutdownTest} in a JVM of its own: {@code ShutdownScenario <dsn>}.
 */
public final class ShutdownScenario {
  private ShutdownScenario() {}

  public static void main(String[] args) throws Exception {
    Sentry.init(
        options -> {
          options.setDsn(args[0]);
          options.setTracesSampleRate(1.0);
        });
    Harness harness = Harness.start(null, SentryGrpcOptions.defaults(), true);
    // The README's order: stop taking calls, let calls in flight end, then flush and close.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  harness.server.shutdown();
                  try {
                    harness.server.awaitTermination(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  Sentry.flush(2000);
                  Sentry.close();
                }));
    Status status = Calls.call(harness, Calls.Kind.UNARY, "last-call throw", null, 0);
    System.out.println("call ended " + status.getCode());
    System.exit(status.getCode() == Status.Code.UNKNOWN ? 0 : 3);
  }
}

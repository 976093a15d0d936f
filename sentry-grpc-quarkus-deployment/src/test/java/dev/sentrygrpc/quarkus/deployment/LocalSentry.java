package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.testing.SentryReceiver;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The local Sentry the test applications send to, and the DSN quarkus-logging-sentry reads
 * ({@code quarkus.log.sentry.dsn}), as an application's own configuration source.
 *
 * <p>A configuration source, not a test field: QuarkusUnitTest runs tests on a copy of the test
 * class loaded by the application's class loader, so a receiver started by the test class would
 * be another one than the application's. This class is loaded by the application, once.
 */
public final class LocalSentry implements ConfigSource {
  public static final SentryReceiver RECEIVER = SentryReceiver.start();

  private static final String DSN = "quarkus.log.sentry.dsn";

  @Override
  public Set<String> getPropertyNames() {
    return Set.of(DSN);
  }

  @Override
  public String getValue(String propertyName) {
    return DSN.equals(propertyName) ? RECEIVER.dsn() : null;
  }

  @Override
  public Map<String, String> getProperties() {
    return Map.of(DSN, RECEIVER.dsn());
  }

  @Override
  public String getName() {
    return "sentry-grpc test receiver";
  }

  @Override
  public int getOrdinal() {
    return 275;
  }
}

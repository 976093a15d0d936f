package dev.sentrygrpc.consumer;

import dev.sentrygrpc.testing.SentryReceiver;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The local Sentry, and the DSN quarkus-logging-sentry reads, as a configuration source of the
 * application: the test runs on a copy of the test class that Quarkus's class loader loaded, so
 * the receiver lives here, loaded by the application once.
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
    return "local Sentry";
  }
}

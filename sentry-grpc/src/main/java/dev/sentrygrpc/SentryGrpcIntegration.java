package dev.sentrygrpc;

import io.sentry.SentryIntegrationPackageStorage;
import java.io.InputStream;
import java.util.Properties;

/**
 * Tells Sentry this integration is in use: the integration name and this library's package and
 * version appear in every event's SDK info. The package is registered under this project's own
 * Maven coordinates: a {@code maven:io.sentry:*} package whose version differs from the SDK's makes
 * {@code Sentry.init} fail its mixed-versions check.
 */
final class SentryGrpcIntegration {
  static final String NAME = "Grpc";
  static final String PACKAGE = "maven:dev.sentrygrpc:sentry-grpc";
  static final String VERSION = readVersion();

  private SentryGrpcIntegration() {}

  static void register() {
    SentryIntegrationPackageStorage storage = SentryIntegrationPackageStorage.getInstance();
    storage.addIntegration(NAME);
    storage.addPackage(PACKAGE, VERSION);
  }

  private static String readVersion() {
    try (InputStream in =
        SentryGrpcIntegration.class.getResourceAsStream("sentry-grpc.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.startsWith("$")) {
          return version;
        }
      }
    } catch (Exception e) {
      // The version is only informational.
    }
    return "unknown";
  }
}

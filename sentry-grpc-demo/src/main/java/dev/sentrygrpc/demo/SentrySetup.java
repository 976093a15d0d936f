package dev.sentrygrpc.demo;

import io.sentry.Sentry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Sentry initialised the way the library's README tells a user to: nothing demo-specific. */
final class SentrySetup {

  static final String ENVIRONMENT = "demo";
  static final String RELEASE = "sentry-grpc-demo@" + version();

  private SentrySetup() {}

  // sendDefaultPii is deprecated in 8.62 in favour of DataCollection, but it is the setting every
  // 8.x release understands and the one the library's README documents.
  @SuppressWarnings("deprecation")
  static void init(String dsn, double tracesSampleRate, boolean debug) {
    Sentry.init(
        options -> {
          options.setDsn(dsn);
          options.setTracesSampleRate(tracesSampleRate);
          options.setEnvironment(ENVIRONMENT);
          options.setRelease(RELEASE);
          // The default, spelled out: no metadata or peer addresses leave the process.
          options.setSendDefaultPii(false);
          options.setDebug(debug);
        });
  }

  private static String version() {
    try (InputStream in = SentrySetup.class.getResourceAsStream("demo.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.startsWith("$")) {
          return version;
        }
      }
    } catch (IOException e) {
      // Only a label.
    }
    return "dev";
  }
}

package dev.sentrygrpc.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The metadata IDEs read to complete and document {@code sentry.grpc.*} in application files. */
class ConfigurationMetadataTest {

  @Test
  void everyPropertyIsDescribed() throws IOException {
    String metadata = read("META-INF/spring-configuration-metadata.json");
    for (String property :
        new String[] {
          "enabled",
          "ignored-methods",
          "captured-status-codes",
          "rethrow",
          "flush-on-error",
          "trace-streaming-calls",
          "captured-metadata",
          "captured-error-details",
          "continue-incoming-traces",
          "server.enabled",
          "server.order",
          "client.enabled",
          "client.order",
          "client.captured-status-codes",
          "client.breadcrumbs",
          "metrics.enabled",
          "metrics.interval",
          "logs.failed-calls",
          "logs.access",
          "logs.status-codes",
          "logs.client-status-codes",
          "logs.max-per-second"
        }) {
      assertThat(metadata).contains("\"name\": \"sentry.grpc." + property + "\"");
    }
    // Descriptions come from the fields' Javadoc.
    assertThat(metadata).contains("\"description\": \"Whether Sentry instruments gRPC calls at all.\"");
  }

  @Test
  void theDefaultsWrittenByHandAreTheLibrarys() throws IOException {
    // The processor cannot evaluate Ordered.HIGHEST_PRECEDENCE + 1000 or copies of the library's
    // defaults: additional-spring-configuration-metadata.json spells them out.
    String metadata = read("META-INF/spring-configuration-metadata.json");
    assertThat(metadata).contains("\"defaultValue\": " + SentryGrpcProperties.DEFAULT_ORDER);
    SentryGrpcOptions defaults = SentryGrpcOptions.defaults();
    for (String glob : defaults.ignoredMethods()) {
      assertThat(metadata).contains("\"" + glob.replace("/", "\\/") + "\"");
    }
    for (Status.Code code : defaults.capturedStatusCodes()) {
      assertThat(metadata).contains("\"" + code.name() + "\"");
    }
    for (Status.Code code : defaults.loggedClientStatusCodes()) {
      assertThat(metadata).contains("\"" + code.name() + "\"");
    }
    assertThat(metadata).contains("\"defaultValue\": \"" + defaults.metricsInterval().getSeconds() + "s\"");
    assertThat(metadata).contains("\"defaultValue\": " + defaults.maxLogsPerSecond());
  }

  private static String read(String resource) throws IOException {
    try (InputStream in =
        ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " on the class path").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

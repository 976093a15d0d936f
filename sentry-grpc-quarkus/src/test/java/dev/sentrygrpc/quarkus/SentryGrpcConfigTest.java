package dev.sentrygrpc.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code quarkus.sentry.grpc.*} as the options the interceptors get, read by SmallRye Config as
 * Quarkus reads it. The applications of the deployment module's tests show the same end to end.
 */
class SentryGrpcConfigTest {
  private static final String P = "quarkus.sentry.grpc.";

  /**
   * Every option of {@link SentryGrpcOptions.Builder} and its property. A builder method that is
   * neither here nor in {@link #PROGRAMMATIC} fails {@link #everyOptionHasAProperty()}: a new
   * option needs a property (SentryGrpcConfig, one line in OptionsFromConfig, a row here and in
   * the README), or a reason why a property cannot say it.
   */
  private static final Map<String, String> PROPERTIES =
      Map.ofEntries(
          Map.entry("rethrow", "rethrow"),
          Map.entry("flushOnError", "flush-on-error"),
          Map.entry("ignoredMethods", "ignored-methods"),
          Map.entry("capturedStatusCodes", "captured-status-codes"),
          Map.entry("traceStreamingCalls", "trace-streaming-calls"),
          Map.entry("capturedMetadata", "captured-metadata"),
          Map.entry("continueIncomingTraces", "continue-incoming-traces"),
          Map.entry("capturedClientStatusCodes", "client.captured-status-codes"),
          Map.entry("clientBreadcrumbs", "client.breadcrumbs"),
          Map.entry("capturedErrorDetails", "captured-error-details"),
          Map.entry("metrics", "metrics.enabled"),
          Map.entry("metricsInterval", "metrics.interval"),
          Map.entry("failedCallLogs", "logs.failed-calls"),
          Map.entry("accessLogs", "logs.access"),
          Map.entry("loggedStatusCodes", "logs.status-codes"),
          Map.entry("loggedClientStatusCodes", "logs.client-status-codes"),
          Map.entry("maxLogsPerSecond", "logs.max-per-second"));

  /** Code, not configuration: set them with a {@link SentryGrpcOptionsCustomizer}. */
  private static final Set<String> PROGRAMMATIC = Set.of("exceptionStatus", "scopes");

  @Test
  void everyOptionHasAProperty() {
    Set<String> options =
        Arrays.stream(SentryGrpcOptions.Builder.class.getDeclaredMethods())
            .filter(method -> Modifier.isPublic(method.getModifiers()))
            .filter(method -> method.getReturnType() == SentryGrpcOptions.Builder.class)
            .map(Method::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> covered = new TreeSet<>(PROPERTIES.keySet());
    covered.addAll(PROGRAMMATIC);

    assertThat(options).as("options of SentryGrpcOptions.Builder").isEqualTo(covered);
  }

  @Test
  void theDefaultsAreTheLibrarys() {
    SentryGrpcConfig config = config(Map.of());
    SentryGrpcOptions options = OptionsFromConfig.builder(config).build();
    SentryGrpcOptions defaults = SentryGrpcOptions.defaults();

    assertThat(options.rethrow()).isEqualTo(defaults.rethrow());
    assertThat(options.flushOnError()).isEqualTo(defaults.flushOnError());
    assertThat(options.ignoredMethods()).isEqualTo(defaults.ignoredMethods());
    assertThat(options.capturedStatusCodes()).isEqualTo(defaults.capturedStatusCodes());
    assertThat(options.traceStreamingCalls()).isEqualTo(defaults.traceStreamingCalls());
    assertThat(options.capturedMetadata()).isEqualTo(defaults.capturedMetadata());
    assertThat(continues(options)).isEqualTo(continues(defaults));
    assertThat(options.capturedClientStatusCodes()).isEqualTo(defaults.capturedClientStatusCodes());
    assertThat(options.clientBreadcrumbs()).isEqualTo(defaults.clientBreadcrumbs());
    assertThat(options.capturedErrorDetails()).isEqualTo(defaults.capturedErrorDetails());
    assertThat(options.metrics()).isEqualTo(defaults.metrics());
    assertThat(options.metricsInterval()).isEqualTo(defaults.metricsInterval());
    assertThat(options.failedCallLogs()).isEqualTo(defaults.failedCallLogs());
    assertThat(options.accessLogs()).isEqualTo(defaults.accessLogs());
    assertThat(options.loggedStatusCodes()).isEqualTo(defaults.loggedStatusCodes());
    assertThat(options.loggedClientStatusCodes()).isEqualTo(defaults.loggedClientStatusCodes());
    assertThat(options.maxLogsPerSecond()).isEqualTo(defaults.maxLogsPerSecond());
    assertThat(options.toString()).isEqualTo(defaults.toString());
    assertThat(config.enabled()).isTrue();
    assertThat(config.server().enabled()).isTrue();
    assertThat(config.client().enabled()).isTrue();
    assertThat(config.server().priority()).isEqualTo(Integer.MAX_VALUE - 10);
    assertThat(config.client().priority()).isEqualTo(SentryGrpcConfig.DEFAULT_PRIORITY);
  }

  @Test
  void everyPropertyReachesItsOption() {
    SentryGrpcConfig config =
        config(
            Map.ofEntries(
                Map.entry(P + "enabled", "false"),
                Map.entry(P + "rethrow", "false"),
                Map.entry(P + "flush-on-error", "2s"),
                Map.entry(P + "ignored-methods", "shop.Admin/*, shop.Health/Check"),
                Map.entry(P + "captured-status-codes", "internal,DATA_LOSS,failed-precondition"),
                Map.entry(P + "trace-streaming-calls", "false"),
                Map.entry(P + "captured-metadata", "X-Tenant,x-region"),
                Map.entry(P + "continue-incoming-traces", "false"),
                Map.entry(P + "server.enabled", "false"),
                Map.entry(P + "server.priority", "100"),
                Map.entry(P + "client.enabled", "false"),
                Map.entry(P + "client.priority", "200"),
                Map.entry(P + "client.captured-status-codes", "unavailable,Deadline_Exceeded"),
                Map.entry(P + "client.breadcrumbs", "false"),
                Map.entry(P + "captured-error-details", "debuginfo,ERRORINFO.METADATA"),
                Map.entry(P + "metrics.enabled", "true"),
                Map.entry(P + "metrics.interval", "30s"),
                Map.entry(P + "logs.failed-calls", "true"),
                Map.entry(P + "logs.access", "true"),
                Map.entry(P + "logs.status-codes", "internal"),
                Map.entry(P + "logs.client-status-codes", "unavailable,not-found"),
                Map.entry(P + "logs.max-per-second", "7")));
    SentryGrpcOptions options = OptionsFromConfig.builder(config).build();

    assertThat(options.rethrow()).isFalse();
    assertThat(options.flushOnError()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.ignoredMethods()).containsExactly("shop.Admin/*", "shop.Health/Check");
    assertThat(options.capturedStatusCodes())
        .containsExactlyInAnyOrder(
            Status.Code.INTERNAL, Status.Code.DATA_LOSS, Status.Code.FAILED_PRECONDITION);
    assertThat(options.traceStreamingCalls()).isFalse();
    assertThat(options.capturedMetadata()).containsExactly("x-tenant", "x-region");
    assertThat(continues(options)).isFalse();
    assertThat(options.capturedClientStatusCodes())
        .containsExactlyInAnyOrder(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
    assertThat(options.clientBreadcrumbs()).isFalse();
    assertThat(options.capturedErrorDetails()).containsExactly("DebugInfo", "ErrorInfo.metadata");
    assertThat(options.metrics()).isTrue();
    assertThat(options.metricsInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.failedCallLogs()).isTrue();
    assertThat(options.accessLogs()).isTrue();
    assertThat(options.loggedStatusCodes()).containsExactly(Status.Code.INTERNAL);
    assertThat(options.loggedClientStatusCodes())
        .containsExactlyInAnyOrder(Status.Code.UNAVAILABLE, Status.Code.NOT_FOUND);
    assertThat(options.maxLogsPerSecond()).isEqualTo(7);
    assertThat(config.enabled()).isFalse();
    assertThat(config.server().enabled()).isFalse();
    assertThat(config.server().priority()).isEqualTo(100);
    assertThat(config.client().enabled()).isFalse();
    assertThat(config.client().priority()).isEqualTo(200);
  }

  @Test
  void noneEmptiesAListWhoseDefaultIsNotEmpty() {
    SentryGrpcOptions options =
        OptionsFromConfig.builder(
                config(Map.of(P + "ignored-methods", "none", P + "captured-status-codes", "NONE")))
            .build();

    assertThat(options.ignoredMethods()).isEmpty();
    assertThat(options.capturedStatusCodes()).isEmpty();
  }

  @Test
  void anEmptyValueIsRefusedNamingTheProperty() {
    // SmallRye Config reads an empty value as a missing one, which a list must not be: hence
    // "none" for the empty list.
    assertThatThrownBy(() -> config(Map.of(P + "ignored-methods", "")))
        .hasMessageContaining("quarkus.sentry.grpc.ignored-methods");
  }

  @Test
  void anUnknownStatusCodeNamesTheProperty() {
    SentryGrpcConfig config = config(Map.of(P + "client.captured-status-codes", "unavailable,oops"));

    assertThatThrownBy(() -> OptionsFromConfig.builder(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quarkus.sentry.grpc.client.captured-status-codes")
        .hasMessageContaining("'oops'")
        .hasMessageContaining("DATA_LOSS");
  }

  private static boolean continues(SentryGrpcOptions options) {
    return options.continueIncomingTraces().test(null, new Metadata());
  }

  private static SentryGrpcConfig config(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(SentryGrpcConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(properties, "test", 100))
            .build();
    return config.getConfigMapping(SentryGrpcConfig.class);
  }
}

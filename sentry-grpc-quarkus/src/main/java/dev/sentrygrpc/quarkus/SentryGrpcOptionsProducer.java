package dev.sentrygrpc.quarkus;

import dev.sentrygrpc.SentryGrpcOptions;
import io.quarkus.arc.All;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The {@link SentryGrpcOptions} bean both interceptors use: {@code quarkus.sentry.grpc.*}, then
 * every {@link SentryGrpcOptionsCustomizer}. An application's own {@code SentryGrpcOptions} bean
 * replaces it (and the properties).
 */
@Singleton
final class SentryGrpcOptionsProducer {

  @Produces
  @Singleton
  @DefaultBean
  SentryGrpcOptions sentryGrpcOptions(
      SentryGrpcConfig config, @All List<SentryGrpcOptionsCustomizer> customizers) {
    SentryGrpcOptions.Builder options = OptionsFromConfig.builder(config);
    // @All lists beans by priority, highest first.
    for (SentryGrpcOptionsCustomizer customizer : customizers) {
      customizer.customize(options);
    }
    return options.build();
  }
}

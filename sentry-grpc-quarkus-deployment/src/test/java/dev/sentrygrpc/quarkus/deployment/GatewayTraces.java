package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.quarkus.SentryGrpcOptionsCustomizer;
import io.grpc.Metadata;
import jakarta.inject.Singleton;

/** The customizer of sentry-grpc-quarkus/README.md, as written there. */
@Singleton
public class GatewayTraces implements SentryGrpcOptionsCustomizer {
  static final Metadata.Key<String> FROM_GATEWAY =
      Metadata.Key.of("x-from-gateway", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public void customize(SentryGrpcOptions.Builder options) {
    // Calls that came in through the public gateway start traces of their own.
    options.continueIncomingTraces((call, headers) -> !headers.containsKey(FROM_GATEWAY));
  }
}

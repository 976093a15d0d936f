package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryGrpcOptions;

/**
 * Changes the {@link SentryGrpcOptions} built from the {@code sentry.grpc.*} properties, for what a
 * property cannot say, such as a per-call {@code continueIncomingTraces} decision:
 *
 * <pre>{@code
 * @Bean
 * SentryGrpcOptionsCustomizer trustInternalCallersOnly() {
 *   return options -> options.continueIncomingTraces(
 *       (call, headers) -> headers.containsKey(INTERNAL_CALLER));
 * }
 * }</pre>
 *
 * <p>Customizers run after the properties were applied, in their {@code @Order}. They are not used
 * when the application defines its own {@link SentryGrpcOptions} bean.
 */
@FunctionalInterface
public interface SentryGrpcOptionsCustomizer {

  void customize(SentryGrpcOptions.Builder options);
}

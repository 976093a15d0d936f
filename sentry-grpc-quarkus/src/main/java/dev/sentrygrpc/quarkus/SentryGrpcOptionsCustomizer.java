package dev.sentrygrpc.quarkus;

import dev.sentrygrpc.SentryGrpcOptions;

/**
 * A CDI bean that changes the options built from {@code quarkus.sentry.grpc.*}, for what a
 * property cannot say, such as a per-call decision on incoming traces:
 *
 * <pre>{@code
 * @Singleton
 * class InternalCallersOnly implements SentryGrpcOptionsCustomizer {
 *   public void customize(SentryGrpcOptions.Builder options) {
 *     options.continueIncomingTraces((call, headers) -> headers.containsKey(INTERNAL_CALLER));
 *   }
 * }
 * }</pre>
 *
 * <p>Customizers run after the properties, the one of highest {@code jakarta.annotation.Priority}
 * first.
 */
@FunctionalInterface
public interface SentryGrpcOptionsCustomizer {
  void customize(SentryGrpcOptions.Builder options);
}

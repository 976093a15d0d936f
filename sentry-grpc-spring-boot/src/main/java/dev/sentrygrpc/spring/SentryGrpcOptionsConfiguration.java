package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryGrpcOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link SentryGrpcOptions} bean: the {@code sentry.grpc.*} properties, then every {@link
 * SentryGrpcOptionsCustomizer} in its order. Imported by the auto-configuration of each Spring
 * Boot generation ({@code sentry-grpc-spring-boot-jakarta}, {@code sentry-grpc-spring-boot-4});
 * not meant to be imported by applications.
 *
 * <p>Defined whatever gRPC framework is present, so interceptors an application registers by hand
 * can take their settings from the properties too. An application's own {@link
 * SentryGrpcOptions} bean replaces it, and the properties and customizers are then not used.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SentryGrpcProperties.class)
public class SentryGrpcOptionsConfiguration {

  /**
   * The options.
   *
   * @param properties {@code sentry.grpc.*}
   * @param customizers applied after the properties, in their order
   * @return the options every interceptor is built with
   */
  @Bean(SentryGrpcBeanNames.OPTIONS)
  @ConditionalOnMissingBean
  public SentryGrpcOptions sentryGrpcOptions(
      SentryGrpcProperties properties, ObjectProvider<SentryGrpcOptionsCustomizer> customizers) {
    SentryGrpcOptions.Builder builder = properties.toOptionsBuilder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }
}

package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import io.sentry.IScopes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * Registers {@link SentryServerInterceptor} and {@link SentryClientInterceptor} as Spring gRPC
 * global interceptors, configured from {@code sentry.grpc.*}.
 *
 * <p>Active once Sentry's own auto-configuration has set up the SDK (it defines the {@link
 * IScopes} bean when {@code sentry.dsn} is set), unless {@code sentry.grpc.enabled=false}. The
 * {@link SentryGrpcOptions} bean is defined whether or not Spring gRPC is present, so applications
 * that register the interceptors by hand (the {@code net.devh} starter) can still take their
 * settings from the properties; each interceptor needs Spring gRPC on the class path.
 */
@AutoConfiguration(afterName = "io.sentry.spring.boot4.SentryAutoConfiguration")
@ConditionalOnBean(IScopes.class)
@ConditionalOnBooleanProperty(name = "sentry.grpc.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SentryGrpcProperties.class)
public final class SentryGrpcAutoConfiguration {

  /** Name of the server interceptor bean; a bean of this name replaces it. */
  public static final String SERVER_INTERCEPTOR_BEAN = "sentryGrpcServerInterceptor";

  /** Name of the client interceptor bean; a bean of this name replaces it. */
  public static final String CLIENT_INTERCEPTOR_BEAN = "sentryGrpcClientInterceptor";

  @Bean
  @ConditionalOnMissingBean
  SentryGrpcOptions sentryGrpcOptions(
      SentryGrpcProperties properties, ObjectProvider<SentryGrpcOptionsCustomizer> customizers) {
    SentryGrpcOptions.Builder builder = properties.toOptionsBuilder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * The server side. An application's own {@link SentryServerInterceptor} bean replaces this one;
   * it then needs {@code @GlobalServerInterceptor} (and an {@code @Order}) itself.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.grpc.server.GlobalServerInterceptor",
        "org.springframework.grpc.server.GrpcServerFactory"
      })
  @ConditionalOnBooleanProperty(name = "sentry.grpc.server.enabled", matchIfMissing = true)
  static class ServerConfiguration {

    @Bean(SERVER_INTERCEPTOR_BEAN)
    @GlobalServerInterceptor
    @ConditionalOnMissingBean(value = SentryServerInterceptor.class, name = SERVER_INTERCEPTOR_BEAN)
    OrderedServerInterceptor sentryGrpcServerInterceptor(
        SentryGrpcOptions options, SentryGrpcProperties properties) {
      return new OrderedServerInterceptor(
          new SentryServerInterceptor(options), properties.getServer().getOrder());
    }
  }

  /**
   * The client side: every channel Spring gRPC's {@code GrpcChannelFactory} builds. An
   * application's own {@link SentryClientInterceptor} bean replaces this one; it then needs {@code
   * @GlobalClientInterceptor} (and an {@code @Order}) itself.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.grpc.client.GlobalClientInterceptor",
        "org.springframework.grpc.client.GrpcChannelFactory"
      })
  @ConditionalOnBooleanProperty(name = "sentry.grpc.client.enabled", matchIfMissing = true)
  static class ClientConfiguration {

    @Bean(CLIENT_INTERCEPTOR_BEAN)
    @GlobalClientInterceptor
    @ConditionalOnMissingBean(value = SentryClientInterceptor.class, name = CLIENT_INTERCEPTOR_BEAN)
    OrderedClientInterceptor sentryGrpcClientInterceptor(
        SentryGrpcOptions options, SentryGrpcProperties properties) {
      return new OrderedClientInterceptor(
          new SentryClientInterceptor(options), properties.getClient().getOrder());
    }
  }
}

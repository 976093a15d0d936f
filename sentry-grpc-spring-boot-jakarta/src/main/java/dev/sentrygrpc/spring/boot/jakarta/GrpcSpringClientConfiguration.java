package dev.sentrygrpc.spring.boot.jakarta;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcProperties;
import net.devh.boot.grpc.client.interceptor.GrpcGlobalClientInterceptor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The client side with net.devh grpc-spring ({@code grpc-client-spring-boot-starter}): the Sentry
 * client interceptor on every channel its {@code GrpcChannelFactory} builds, {@code @GrpcClient}
 * fields included. By default ({@code SentryGrpcProperties.DEFAULT_ORDER}) it runs outside its
 * metrics and tracing interceptors ({@code ORDER_TRACING_METRICS}, 2500), so its span covers them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = "net.devh.boot.grpc.client.interceptor.GrpcGlobalClientInterceptor")
@ConditionalOnBooleanProperty(name = "sentry.grpc.client.enabled", matchIfMissing = true)
class GrpcSpringClientConfiguration {

  @Bean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR)
  @GrpcGlobalClientInterceptor
  @ConditionalOnMissingBean(
      value = SentryClientInterceptor.class,
      name = SentryGrpcBeanNames.CLIENT_INTERCEPTOR)
  OrderedClientInterceptor sentryGrpcClientInterceptor(
      SentryGrpcOptions options, SentryGrpcProperties properties) {
    return new OrderedClientInterceptor(
        new SentryClientInterceptor(options), properties.getClient().getOrder());
  }
}

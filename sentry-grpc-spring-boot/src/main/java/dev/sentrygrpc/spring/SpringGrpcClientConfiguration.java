package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GlobalClientInterceptor;

/**
 * The client side with Spring gRPC: every channel its {@code GrpcChannelFactory} builds
 * (including {@code @ImportGrpcClients} stubs). Imported by the auto-configuration of each Spring
 * Boot generation; not meant to be imported by applications.
 *
 * <p>An application's own {@link SentryClientInterceptor} bean replaces this one; it then needs
 * {@code @GlobalClientInterceptor} (and an {@code @Order}) itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.springframework.grpc.client.GlobalClientInterceptor",
      "org.springframework.grpc.client.GrpcChannelFactory"
    })
@ConditionalOnBooleanProperty(name = "sentry.grpc.client.enabled", matchIfMissing = true)
public class SpringGrpcClientConfiguration {

  /**
   * The client interceptor, by default outside every other global client interceptor.
   *
   * @param options the options
   * @param properties for its order
   * @return the interceptor, with its order
   */
  @Bean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR)
  @GlobalClientInterceptor
  @ConditionalOnMissingBean(
      value = SentryClientInterceptor.class,
      name = SentryGrpcBeanNames.CLIENT_INTERCEPTOR)
  public OrderedClientInterceptor sentryGrpcClientInterceptor(
      SentryGrpcOptions options, SentryGrpcProperties properties) {
    return new OrderedClientInterceptor(
        new SentryClientInterceptor(options), properties.getClient().getOrder());
  }
}

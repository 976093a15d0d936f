package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.kotlin.SentryCoroutineContextServerInterceptor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * The server side with Spring gRPC (0.x on Spring Boot 3, 1.x on Spring Boot 4: the API used here
 * is the same): the Sentry server interceptor on every service Spring gRPC serves. Imported by the
 * auto-configuration of each Spring Boot generation; not meant to be imported by applications.
 *
 * <p>An application's own {@link SentryServerInterceptor} bean replaces this one; it then needs
 * {@code @GlobalServerInterceptor} (and an {@code @Order}) itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.springframework.grpc.server.GlobalServerInterceptor",
      "org.springframework.grpc.server.GrpcServerFactory"
    })
@ConditionalOnBooleanProperty(name = "sentry.grpc.server.enabled", matchIfMissing = true)
public class SpringGrpcServerConfiguration {

  /**
   * The server interceptor, by default just inside Spring gRPC's exception handling.
   *
   * @param options the options
   * @param properties for its order
   * @return the interceptor, with its order
   */
  @Bean(SentryGrpcBeanNames.SERVER_INTERCEPTOR)
  @GlobalServerInterceptor
  @ConditionalOnMissingBean(
      value = SentryServerInterceptor.class,
      name = SentryGrpcBeanNames.SERVER_INTERCEPTOR)
  public OrderedServerInterceptor sentryGrpcServerInterceptor(
      SentryGrpcOptions options, SentryGrpcProperties properties) {
    return new OrderedServerInterceptor(
        new SentryServerInterceptor(options),
        properties.getServer().orderOr(SentryGrpcProperties.DEFAULT_ORDER));
  }

  /**
   * grpc-kotlin services: the call's scopes follow the service method's coroutine across threads.
   * Placed right inside the Sentry server interceptor (its order + 1), where the call's scopes are
   * current; so, like that interceptor, it backs off when the application declares its own {@link
   * SentryServerInterceptor}, whose place in the chain it cannot know.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {"io.grpc.kotlin.CoroutineContextServerInterceptor", "io.sentry.kotlin.SentryContext"})
  public static class CoroutineConfiguration {

    /**
     * The coroutine context interceptor.
     *
     * @param properties for the Sentry server interceptor's order
     * @return the interceptor, ordered right inside the Sentry server interceptor
     */
    @Bean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR)
    @GlobalServerInterceptor
    @ConditionalOnMissingBean(
        value = SentryServerInterceptor.class,
        name = SentryGrpcBeanNames.COROUTINE_INTERCEPTOR)
    public OrderedServerInterceptor sentryGrpcCoroutineContextInterceptor(
        SentryGrpcProperties properties) {
      return coroutineContextInterceptor(
          properties.getServer().orderOr(SentryGrpcProperties.DEFAULT_ORDER));
    }
  }

  /**
   * The interceptor that carries the call's scopes into grpc-kotlin coroutines, right inside a
   * Sentry server interceptor of the given order.
   *
   * @param sentryOrder the order of the Sentry server interceptor
   * @return the coroutine context interceptor, with the order right after it
   */
  public static OrderedServerInterceptor coroutineContextInterceptor(int sentryOrder) {
    int inside = sentryOrder == Integer.MAX_VALUE ? sentryOrder : sentryOrder + 1;
    return new OrderedServerInterceptor(new SentryCoroutineContextServerInterceptor(), inside);
  }
}

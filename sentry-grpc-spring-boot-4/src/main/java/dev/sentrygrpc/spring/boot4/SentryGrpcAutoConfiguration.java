package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.kotlin.SentryCoroutineContextServerInterceptor;
import io.sentry.IScopes;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * Registers {@link SentryServerInterceptor} and {@link SentryClientInterceptor} as Spring gRPC
 * global interceptors, configured from {@code sentry.grpc.*}.
 *
 * <p>Active once Sentry's own auto-configuration has set up the SDK (it defines the {@link
 * IScopes} bean when {@code sentry.dsn} is set), unless {@code sentry.grpc.enabled=false}. The
 * {@link SentryGrpcOptions} bean is defined whether or not Spring gRPC is present, so applications
 * that register the interceptors by hand (the {@code net.devh} starter) can still take their
 * settings from the properties; each interceptor needs Spring gRPC on the class path.
 *
 * <p>When Spring Boot's gRPC server auto-configuration set up Spring gRPC's exception handling,
 * the options' {@link SentryGrpcOptions#exceptionStatus() exceptionStatus} asks the same {@code
 * GrpcExceptionHandler} beans (see {@link SpringGrpcExceptionStatus}).
 */
@AutoConfiguration(
    afterName = {
      "io.sentry.spring.boot4.SentryAutoConfiguration",
      // Its exception handling decides whether exceptionStatus is set (see below).
      "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration"
    })
@ConditionalOnBean(IScopes.class)
@ConditionalOnBooleanProperty(name = "sentry.grpc.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SentryGrpcProperties.class)
public final class SentryGrpcAutoConfiguration {

  /** Name of the server interceptor bean; a bean of this name replaces it. */
  public static final String SERVER_INTERCEPTOR_BEAN = "sentryGrpcServerInterceptor";

  /**
   * Name of the interceptor that carries the call's scopes into grpc-kotlin coroutines (only with
   * grpc-kotlin and {@code sentry-kotlin-extensions} on the class path); a bean of this name
   * replaces it.
   */
  public static final String COROUTINE_INTERCEPTOR_BEAN = "sentryGrpcCoroutineContextInterceptor";

  /** Name of the client interceptor bean; a bean of this name replaces it. */
  public static final String CLIENT_INTERCEPTOR_BEAN = "sentryGrpcClientInterceptor";

  /**
   * Spring Boot 4.1's {@code GrpcExceptionHandlerInterceptor} bean ({@code
   * GrpcServerAutoConfiguration}), built from the application's {@code GrpcExceptionHandler}s.
   */
  static final String SPRING_GRPC_EXCEPTION_INTERCEPTOR_BEAN =
      "grpcGlobalExceptionHandlerInterceptor";

  @Bean
  @ConditionalOnMissingBean
  SentryGrpcOptions sentryGrpcOptions(
      SentryGrpcProperties properties, ObjectProvider<SentryGrpcOptionsCustomizer> customizers) {
    SentryGrpcOptions.Builder builder = properties.toOptionsBuilder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * Spring gRPC's exception handling as the options' {@code exceptionStatus}, set by a customizer
   * that runs before the application's own (which can replace it, or set {@code null} to turn it
   * off) and is not used with an application's own {@link SentryGrpcOptions} bean.
   *
   * <p>Only with Spring Boot's own {@code GrpcExceptionHandlerInterceptor}, which asks every
   * {@code GrpcExceptionHandler} bean: an interceptor of the application's replaces it (Boot's is
   * {@code @ConditionalOnMissingBean}) and may ask something else, and a guessed status could
   * silence real errors. Without it, exceptions stay {@code UNKNOWN} and are all captured.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor")
  @ConditionalOnBean(
      name = SPRING_GRPC_EXCEPTION_INTERCEPTOR_BEAN,
      type = "org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor")
  static class SpringGrpcExceptionHandlingConfiguration {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SentryGrpcOptionsCustomizer sentryGrpcSpringExceptionStatus(
        ObjectProvider<List<GrpcExceptionHandler>> exceptionHandlers) {
      // The same List<GrpcExceptionHandler> Boot's interceptor is built from, same order.
      return options ->
          options.exceptionStatus(
              new SpringGrpcExceptionStatus(() -> exceptionHandlers.getIfAvailable(List::of)));
    }
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

    /**
     * grpc-kotlin services: the call's scopes follow the service method's coroutine across
     * threads. Placed right inside the Sentry server interceptor (its order + 1), where the call's
     * scopes are current; so, like that interceptor, it backs off when the application declares
     * its own {@link SentryServerInterceptor}, whose place in the chain it cannot know.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = {"io.grpc.kotlin.CoroutineContextServerInterceptor", "io.sentry.kotlin.SentryContext"})
    static class CoroutineConfiguration {

      @Bean(COROUTINE_INTERCEPTOR_BEAN)
      @GlobalServerInterceptor
      @ConditionalOnMissingBean(
          value = SentryServerInterceptor.class,
          name = COROUTINE_INTERCEPTOR_BEAN)
      OrderedServerInterceptor sentryGrpcCoroutineContextInterceptor(
          SentryGrpcProperties properties) {
        int sentryOrder = properties.getServer().getOrder();
        int inside = sentryOrder == Integer.MAX_VALUE ? sentryOrder : sentryOrder + 1;
        return new OrderedServerInterceptor(new SentryCoroutineContextServerInterceptor(), inside);
      }
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

package dev.sentrygrpc.spring.boot4;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcOptionsConfiguration;
import dev.sentrygrpc.spring.SentryGrpcOptionsCustomizer;
import dev.sentrygrpc.spring.SpringGrpcClientConfiguration;
import dev.sentrygrpc.spring.SpringGrpcExceptionStatus;
import dev.sentrygrpc.spring.SpringGrpcServerConfiguration;
import io.sentry.IScopes;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * Spring Boot 4: registers {@link SentryServerInterceptor} and {@link SentryClientInterceptor} as
 * Spring gRPC global interceptors (Spring Boot 4.1's {@code spring-boot-starter-grpc-server} /
 * {@code -client}), configured from {@code sentry.grpc.*}.
 *
 * <p>Active once Sentry's own Spring Boot 4 auto-configuration has set up the SDK (it defines the
 * {@link IScopes} bean when {@code sentry.dsn} is set), unless {@code sentry.grpc.enabled=false}.
 * The {@link SentryGrpcOptions} bean is defined whether or not Spring gRPC is present; each
 * interceptor needs Spring gRPC on the class path.
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
@Import({
  SentryGrpcOptionsConfiguration.class,
  SentryGrpcAutoConfiguration.SpringGrpcExceptionHandlingConfiguration.class,
  SpringGrpcServerConfiguration.class,
  SpringGrpcClientConfiguration.class
})
public final class SentryGrpcAutoConfiguration {

  /**
   * Spring Boot 4.1's {@code GrpcExceptionHandlerInterceptor} bean ({@code
   * GrpcServerAutoConfiguration}), built from the application's {@code GrpcExceptionHandler}s.
   */
  static final String SPRING_GRPC_EXCEPTION_INTERCEPTOR_BEAN =
      "grpcGlobalExceptionHandlerInterceptor";

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

    @Bean(SentryGrpcBeanNames.EXCEPTION_STATUS_CUSTOMIZER)
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SentryGrpcOptionsCustomizer sentryGrpcExceptionStatus(
        ObjectProvider<List<GrpcExceptionHandler>> exceptionHandlers) {
      // The same List<GrpcExceptionHandler> Boot's interceptor is built from, same order.
      return options ->
          options.exceptionStatus(
              new SpringGrpcExceptionStatus(() -> exceptionHandlers.getIfAvailable(List::of)));
    }
  }
}

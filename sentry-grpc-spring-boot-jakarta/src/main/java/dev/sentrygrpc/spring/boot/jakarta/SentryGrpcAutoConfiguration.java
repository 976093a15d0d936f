package dev.sentrygrpc.spring.boot.jakarta;

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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * Spring Boot 3: registers {@link SentryServerInterceptor} and {@link SentryClientInterceptor}
 * with the gRPC framework the application uses, configured from {@code sentry.grpc.*}:
 *
 * <ul>
 *   <li>net.devh grpc-spring 3.x ({@code grpc-server-spring-boot-starter} / {@code
 *       grpc-client-spring-boot-starter}): as its global interceptors, the server one inside its
 *       {@code @GrpcAdvice} exception handling and outside its metrics and security; exceptions
 *       get the status its {@code @GrpcExceptionHandler} methods give them;
 *   <li>Spring gRPC 0.x ({@code spring-grpc-spring-boot-starter}): as its global interceptors,
 *       exactly as on Spring Boot 4, with the status its {@code GrpcExceptionHandler} beans give
 *       an exception (see {@link SpringGrpcExceptionStatus}).
 * </ul>
 *
 * <p>Active once Sentry's own Spring Boot 3 auto-configuration ({@code
 * io.sentry:sentry-spring-boot-starter-jakarta}) has set up the SDK (it defines the {@link IScopes}
 * bean when {@code sentry.dsn} is set), unless {@code sentry.grpc.enabled=false}. The {@link
 * SentryGrpcOptions} bean is defined whatever gRPC framework is present.
 */
@AutoConfiguration(
    afterName = {
      "io.sentry.spring.boot.jakarta.SentryAutoConfiguration",
      // Their exception handling decides whether exceptionStatus is set (see below).
      "org.springframework.grpc.autoconfigure.server.exception.GrpcExceptionHandlerAutoConfiguration",
      "net.devh.boot.grpc.server.autoconfigure.GrpcAdviceAutoConfiguration"
    })
@ConditionalOnBean(IScopes.class)
@ConditionalOnBooleanProperty(name = "sentry.grpc.enabled", matchIfMissing = true)
@Import({
  SentryGrpcOptionsConfiguration.class,
  GrpcSpringServerConfiguration.class,
  GrpcSpringClientConfiguration.class,
  SentryGrpcAutoConfiguration.SpringGrpcExceptionHandlingConfiguration.class,
  SpringGrpcServerConfiguration.class,
  SpringGrpcClientConfiguration.class
})
public final class SentryGrpcAutoConfiguration {

  /**
   * Spring gRPC 0.x's {@code GrpcExceptionHandlerInterceptor} bean ({@code
   * GrpcExceptionHandlerAutoConfiguration}), built from the application's {@code
   * GrpcExceptionHandler}s. It exists only when at least one {@code GrpcExceptionHandler} bean
   * does (Spring Security's {@code SecurityGrpcExceptionHandler} is one). Spring Boot 4 names it
   * {@code grpcGlobalExceptionHandlerInterceptor}.
   */
  static final String SPRING_GRPC_EXCEPTION_INTERCEPTOR_BEAN = "globalExceptionHandlerInterceptor";

  /**
   * Spring gRPC's exception handling as the options' {@code exceptionStatus}, set by a customizer
   * that runs before the application's own (which can replace it, or set {@code null} to turn it
   * off) and is not used with an application's own {@link SentryGrpcOptions} bean.
   *
   * <p>Only with Spring gRPC's own {@code GrpcExceptionHandlerInterceptor}, which asks every
   * {@code GrpcExceptionHandler} bean: an interceptor of the application's replaces it (Spring
   * gRPC's is {@code @ConditionalOnMissingBean}) and may ask something else, and a guessed status
   * could silence real errors. Without it, exceptions stay {@code UNKNOWN} and are all captured.
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
    @ConditionalOnMissingBean(name = SentryGrpcBeanNames.EXCEPTION_STATUS_CUSTOMIZER)
    SentryGrpcOptionsCustomizer sentryGrpcExceptionStatus(
        ObjectProvider<GrpcExceptionHandler> exceptionHandlers) {
      // The same handlers, in the same order, as Spring gRPC 0.x's interceptor is built from.
      return options ->
          options.exceptionStatus(
              new SpringGrpcExceptionStatus(() -> exceptionHandlers.orderedStream().toList()));
    }
  }
}

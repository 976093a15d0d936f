package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.OrderedServerInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcProperties;
import dev.sentrygrpc.spring.SpringGrpcExceptionStatus;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Status;
import io.sentry.Sentry;
import io.sentry.spring.boot.jakarta.SentryAutoConfiguration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.autoconfigure.server.exception.GrpcExceptionHandlerAutoConfiguration;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;

/**
 * The Boot 3 auto-configuration with Spring gRPC 0.12: the same registration as on Boot 4, and the
 * exception status from Spring gRPC 0.x's own exception interceptor bean.
 */
class SpringGrpcAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(SentryAutoConfiguration.class, SentryGrpcAutoConfiguration.class))
          .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1");

  /** With Spring gRPC 0.x's exception handling auto-configuration, a service and a handler. */
  private ApplicationContextRunner withExceptionHandling() {
    return runner
        .withConfiguration(AutoConfigurations.of(GrpcExceptionHandlerAutoConfiguration.class))
        .withBean(BindableService.class, () -> new EchoServiceGrpc.EchoServiceImplBase() {})
        .withBean(
            GrpcExceptionHandler.class,
            () ->
                exception ->
                    exception instanceof IllegalArgumentException
                        ? Status.INVALID_ARGUMENT.asException()
                        : null);
  }

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  @Test
  void registersBothAsSpringGrpcGlobalInterceptorsJustInsideItsExceptionHandling() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          OrderedServerInterceptor server =
              context.getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR, OrderedServerInterceptor.class);
          assertThat(server.getDelegate()).isInstanceOf(SentryServerInterceptor.class);
          assertThat(server.getOrder()).isEqualTo(SentryGrpcProperties.DEFAULT_ORDER);
          assertThat(
                  context.findAnnotationOnBean(
                      SentryGrpcBeanNames.SERVER_INTERCEPTOR, GlobalServerInterceptor.class))
              .isNotNull();
          OrderedClientInterceptor client =
              context.getBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR, OrderedClientInterceptor.class);
          assertThat(client.getDelegate()).isInstanceOf(SentryClientInterceptor.class);
          assertThat(client.getOrder()).isEqualTo(SentryGrpcProperties.DEFAULT_ORDER);
          assertThat(
                  context.findAnnotationOnBean(
                      SentryGrpcBeanNames.CLIENT_INTERCEPTOR, GlobalClientInterceptor.class))
              .isNotNull();
          assertThat(
                  ((OrderedServerInterceptor)
                          context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR))
                      .getOrder())
              .isEqualTo(SentryGrpcProperties.DEFAULT_ORDER + 1);
        });
  }

  @Test
  void theOrderPropertiesMoveThem() {
    runner
        .withPropertyValues("sentry.grpc.server.order=5", "sentry.grpc.client.order=-5")
        .run(
            context -> {
              assertThat(
                      context
                          .getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR, OrderedServerInterceptor.class)
                          .getOrder())
                  .isEqualTo(5);
              assertThat(
                      context
                          .getBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR, OrderedClientInterceptor.class)
                          .getOrder())
                  .isEqualTo(-5);
            });
  }

  @Test
  void registersNothingWhenTurnedOff() {
    runner
        .withPropertyValues("sentry.grpc.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SentryGrpcOptions.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
            });
  }

  @Test
  void registersNoInterceptorWithoutSpringGrpc() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.grpc"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(SentryGrpcOptions.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
            });
  }

  @Test
  void exceptionsGetTheStatusSpringGrpcsExceptionHandlersGiveThem() {
    withExceptionHandling()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              // Spring gRPC 0.x's name for it; Boot 4 calls it grpcGlobalExceptionHandlerInterceptor.
              assertThat(context)
                  .getBean("globalExceptionHandlerInterceptor")
                  .isInstanceOf(GrpcExceptionHandlerInterceptor.class);
              Function<? super Throwable, Status> exceptionStatus =
                  context.getBean(SentryGrpcOptions.class).exceptionStatus();
              assertThat(exceptionStatus).isInstanceOf(SpringGrpcExceptionStatus.class);
              assertThat(exceptionStatus.apply(new IllegalArgumentException()).getCode())
                  .isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(exceptionStatus.apply(new IllegalStateException())).isNull();
            });
  }

  @Test
  void withoutSpringGrpcsExceptionHandlingExceptionsStayUnknown() {
    // Spring gRPC 0.x sets it up only when some GrpcExceptionHandler bean exists.
    runner
        .withConfiguration(AutoConfigurations.of(GrpcExceptionHandlerAutoConfiguration.class))
        .withBean(BindableService.class, () -> new EchoServiceGrpc.EchoServiceImplBase() {})
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(GrpcExceptionHandlerInterceptor.class);
              assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull();
            });
  }

  @Test
  void anApplicationsOwnExceptionHandlerInterceptorIsNotGuessedAt() {
    withExceptionHandling()
        .withBean(
            "myExceptionHandlerInterceptor",
            GrpcExceptionHandlerInterceptor.class,
            () -> new GrpcExceptionHandlerInterceptor(exception -> null))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(GrpcExceptionHandlerInterceptor.class);
              assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull();
            });
  }
}

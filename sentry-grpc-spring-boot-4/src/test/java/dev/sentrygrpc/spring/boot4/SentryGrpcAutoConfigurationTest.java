package dev.sentrygrpc.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.kotlin.SentryCoroutineContextServerInterceptor;
import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.OrderedServerInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcOptionsCustomizer;
import dev.sentrygrpc.spring.SentryGrpcProperties;
import dev.sentrygrpc.spring.SpringGrpcExceptionStatus;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.ScopesAdapter;
import io.sentry.Sentry;
import io.sentry.spring.boot4.SentryAutoConfiguration;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;

class SentryGrpcAutoConfigurationTest {

  /** Sentry's own auto-configuration, switched on by a DSN nothing is ever sent to here. */
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(SentryAutoConfiguration.class, SentryGrpcAutoConfiguration.class))
          .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1");

  @AfterEach
  void closeSentry() {
    // Each context with Sentry's auto-configuration runs Sentry.init: leave no SDK behind.
    Sentry.close();
  }

  // ---- on and off ----

  @Test
  void registersBothInterceptorsAsGlobalInterceptorsWhenSentryIsConfigured() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().hasSingleBean(SentryGrpcOptions.class);

          OrderedServerInterceptor server = serverInterceptor(context);
          assertThat(server.getDelegate()).isInstanceOf(SentryServerInterceptor.class);
          assertThat(server.getOrder()).isEqualTo(SentryGrpcProperties.DEFAULT_ORDER);
          assertThat(
                  context.findAnnotationOnBean(
                      SentryGrpcBeanNames.SERVER_INTERCEPTOR,
                      GlobalServerInterceptor.class))
              .isNotNull();

          OrderedClientInterceptor client = clientInterceptor(context);
          assertThat(client.getDelegate()).isInstanceOf(SentryClientInterceptor.class);
          assertThat(client.getOrder()).isEqualTo(SentryGrpcProperties.DEFAULT_ORDER);
          assertThat(
                  context.findAnnotationOnBean(
                      SentryGrpcBeanNames.CLIENT_INTERCEPTOR,
                      GlobalClientInterceptor.class))
              .isNotNull();
        });
  }

  @Test
  void registersNothingWhenTurnedOff() {
    runner
        .withPropertyValues("sentry.grpc.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(IScopes.class);
              assertThat(context).doesNotHaveBean(SentryGrpcOptions.class);
              assertNoServerInterceptor(context);
              assertNoClientInterceptor(context);
            });
  }

  @Test
  void serverCanBeTurnedOffAlone() {
    runner
        .withPropertyValues("sentry.grpc.server.enabled=false")
        .run(
            context -> {
              assertNoServerInterceptor(context);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void clientCanBeTurnedOffAlone() {
    runner
        .withPropertyValues("sentry.grpc.client.enabled=false")
        .run(
            context -> {
              assertNoClientInterceptor(context);
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
            });
  }

  @Test
  void registersNothingWhenSentryIsNotConfigured() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(SentryAutoConfiguration.class, SentryGrpcAutoConfiguration.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(IScopes.class);
              assertThat(context).doesNotHaveBean(SentryGrpcOptions.class);
              assertNoServerInterceptor(context);
              assertNoClientInterceptor(context);
            });
  }

  @Test
  void registersNothingWhenSentrysOwnAutoConfigurationIsMissing() {
    // A DSN alone is not enough: something must have set the SDK up and said so with a bean.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SentryGrpcAutoConfiguration.class))
        .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(SentryGrpcOptions.class);
              assertNoServerInterceptor(context);
              assertNoClientInterceptor(context);
            });
  }

  @Test
  void worksWithScopesTheApplicationSetUpItself() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SentryGrpcAutoConfiguration.class))
        .withBean(IScopes.class, ScopesAdapter::getInstance)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  // ---- missing classes ----

  @Test
  void registersNoInterceptorWithoutSpringGrpc() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.grpc"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertNoServerInterceptor(context);
              assertNoClientInterceptor(context);
              // Still there for interceptors registered by hand (net.devh's starter).
              assertThat(context).hasSingleBean(SentryGrpcOptions.class);
              assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull();
            });
  }

  @Test
  void registersOnlyTheClientWithoutSpringGrpcServer() {
    runner
        .withClassLoader(new FilteredClassLoader(GrpcServerFactory.class))
        .run(
            context -> {
              assertNoServerInterceptor(context);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void registersOnlyTheServerWithoutSpringGrpcClient() {
    runner
        .withClassLoader(new FilteredClassLoader(GrpcChannelFactory.class))
        .run(
            context -> {
              assertNoClientInterceptor(context);
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
            });
  }

  // ---- the application's own beans win ----

  @Test
  void anApplicationsOwnOptionsAreUsedAndThePropertiesIgnored() {
    SentryGrpcOptions own = SentryGrpcOptions.builder().rethrow(false).build();
    runner
        .withPropertyValues("sentry.grpc.rethrow=true")
        .withBean(SentryGrpcOptions.class, () -> own)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SentryGrpcOptions.class);
              assertThat(context.getBean(SentryGrpcOptions.class)).isSameAs(own);
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
            });
  }

  @Test
  void anApplicationsOwnServerInterceptorReplacesOurs() {
    runner
        .withUserConfiguration(OwnServerInterceptor.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SentryServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void anApplicationsOwnClientInterceptorReplacesOurs() {
    runner
        .withUserConfiguration(OwnClientInterceptor.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SentryClientInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
            });
  }

  @Test
  void aBeanWithTheInterceptorsNameReplacesIt() {
    runner
        .withBean(
            SentryGrpcBeanNames.SERVER_INTERCEPTOR,
            OrderedServerInterceptor.class,
            () -> new OrderedServerInterceptor(new SentryServerInterceptor(), 7))
        .run(context -> assertThat(serverInterceptor(context).getOrder()).isEqualTo(7));
  }

  // ---- grpc-kotlin coroutines ----

  @Test
  void withGrpcKotlinTheCallsScopesFollowItsCoroutineFromRightInsideSentry() {
    runner
        .withPropertyValues("sentry.grpc.server.order=40")
        .run(
            context -> {
              OrderedServerInterceptor coroutines =
                  context.getBean(
                      SentryGrpcBeanNames.COROUTINE_INTERCEPTOR,
                      OrderedServerInterceptor.class);
              assertThat(coroutines.getDelegate())
                  .isInstanceOf(SentryCoroutineContextServerInterceptor.class);
              assertThat(coroutines.getOrder()).isEqualTo(41);
              assertThat(
                      context.findAnnotationOnBean(
                          SentryGrpcBeanNames.COROUTINE_INTERCEPTOR,
                          GlobalServerInterceptor.class))
                  .isNotNull();
            });
  }

  @Test
  void withoutGrpcKotlinOrSentrysKotlinExtensionsThereIsNoCoroutineInterceptor() {
    for (String missing : new String[] {"io.grpc.kotlin", "io.sentry.kotlin"}) {
      runner
          .withClassLoader(new FilteredClassLoader(missing))
          .run(
              context -> {
                assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
                assertThat(context)
                    .doesNotHaveBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR);
              });
    }
  }

  @Test
  void theCoroutineInterceptorGoesWithTheServerInterceptor() {
    runner
        .withPropertyValues("sentry.grpc.server.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR));
  }

  // ---- Spring gRPC's exception handling ----

  /** With Spring Boot's gRPC server auto-configuration: a service and its exception handling. */
  private ApplicationContextRunner withSpringGrpcServer() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SentryAutoConfiguration.class,
                GrpcServerAutoConfiguration.class,
                SentryGrpcAutoConfiguration.class))
        .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1")
        // No transport but in-process: the Netty on the test class path (for the conformance
        // test) would need Boot's SSL bundles.
        .withClassLoader(new FilteredClassLoader("io.grpc.netty.shaded"))
        .withBean(BindableService.class, () -> new EchoServiceGrpc.EchoServiceImplBase() {})
        .withBean(
            GrpcExceptionHandler.class,
            () ->
                exception ->
                    exception instanceof IllegalArgumentException
                        ? Status.INVALID_ARGUMENT.asException()
                        : null);
  }

  @Test
  void exceptionsGetTheStatusSpringGrpcsExceptionHandlersGiveThem() {
    withSpringGrpcServer()
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(GrpcExceptionHandlerInterceptor.class);
              Function<? super Throwable, Status> exceptionStatus =
                  context.getBean(SentryGrpcOptions.class).exceptionStatus();
              assertThat(exceptionStatus).isInstanceOf(SpringGrpcExceptionStatus.class);
              assertThat(exceptionStatus.apply(new IllegalArgumentException()).getCode())
                  .isEqualTo(Status.Code.INVALID_ARGUMENT);
              // Not mapped: left to the interceptor (UNKNOWN, captured).
              assertThat(exceptionStatus.apply(new IllegalStateException())).isNull();
            });
  }

  @Test
  void withoutSpringGrpcsExceptionHandlingExceptionsStayUnknown() {
    runner.run(
        context -> {
          assertThat(context).doesNotHaveBean(GrpcExceptionHandlerInterceptor.class);
          assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull();
        });
  }

  @Test
  void anApplicationsOwnExceptionHandlerInterceptorIsNotGuessedAt() {
    // It replaces Boot's and may ask other handlers than the beans: exceptions stay UNKNOWN.
    withSpringGrpcServer()
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

  @Test
  void anApplicationsCustomizerReplacesTheExceptionStatus() {
    Function<Throwable, Status> own = exception -> Status.ABORTED;
    withSpringGrpcServer()
        .withBean(SentryGrpcOptionsCustomizer.class, () -> options -> options.exceptionStatus(own))
        .run(
            context ->
                assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus())
                    .isSameAs(own));
  }

  @Test
  void anApplicationsCustomizerCanTurnItOff() {
    withSpringGrpcServer()
        .withBean(SentryGrpcOptionsCustomizer.class, () -> options -> options.exceptionStatus(null))
        .run(
            context ->
                assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull());
  }

  @Test
  void anApplicationsOwnOptionsKeepTheirExceptionStatus() {
    SentryGrpcOptions own = SentryGrpcOptions.builder().build();
    withSpringGrpcServer()
        .withBean(SentryGrpcOptions.class, () -> own)
        .run(
            context -> {
              assertThat(context.getBean(SentryGrpcOptions.class)).isSameAs(own);
              assertThat(own.exceptionStatus()).isNull();
            });
  }

  // ---- properties ----

  @Test
  void withoutPropertiesTheOptionsAreTheLibrarysDefaults() {
    runner.run(
        context -> {
          SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
          SentryGrpcOptions defaults = SentryGrpcOptions.defaults();
          assertThat(options.rethrow()).isEqualTo(defaults.rethrow());
          assertThat(options.flushOnError()).isEqualTo(defaults.flushOnError());
          assertThat(options.ignoredMethods()).isEqualTo(defaults.ignoredMethods());
          assertThat(options.capturedStatusCodes()).isEqualTo(defaults.capturedStatusCodes());
          assertThat(options.traceStreamingCalls()).isEqualTo(defaults.traceStreamingCalls());
          assertThat(options.capturedMetadata()).isEqualTo(defaults.capturedMetadata());
          assertThat(options.capturedErrorDetails()).isEqualTo(defaults.capturedErrorDetails());
          assertThat(continues(options)).isEqualTo(continues(defaults));
          assertThat(options.capturedClientStatusCodes())
              .isEqualTo(defaults.capturedClientStatusCodes());
          assertThat(options.clientBreadcrumbs()).isEqualTo(defaults.clientBreadcrumbs());
          assertThat(options.metrics()).isEqualTo(defaults.metrics());
          assertThat(options.metricsInterval()).isEqualTo(defaults.metricsInterval());
          assertThat(options.failedCallLogs()).isEqualTo(defaults.failedCallLogs());
          assertThat(options.accessLogs()).isEqualTo(defaults.accessLogs());
          assertThat(options.loggedStatusCodes()).isEqualTo(defaults.loggedStatusCodes());
          assertThat(options.loggedClientStatusCodes()).isEqualTo(defaults.loggedClientStatusCodes());
          assertThat(options.maxLogsPerSecond()).isEqualTo(defaults.maxLogsPerSecond());
          // Never the Spring bean: the client must read the calling thread's scopes.
          assertThat(options.scopes()).isNull();
        });
  }

  @Test
  void everyPropertyReachesTheOptions() {
    runner
        .withPropertyValues(
            "sentry.grpc.ignored-methods=shop.Internal/*,shop.Health/Check",
            "sentry.grpc.captured-status-codes=internal,data-loss,unavailable",
            "sentry.grpc.rethrow=false",
            "sentry.grpc.flush-on-error=2s",
            "sentry.grpc.trace-streaming-calls=false",
            "sentry.grpc.captured-metadata=X-Tenant,x-request-id",
            "sentry.grpc.captured-error-details=DebugInfo,errorinfo.metadata",
            "sentry.grpc.continue-incoming-traces=false",
            "sentry.grpc.client.captured-status-codes=UNAVAILABLE,DEADLINE_EXCEEDED",
            "sentry.grpc.client.breadcrumbs=false",
            "sentry.grpc.server.order=5",
            "sentry.grpc.client.order=-5",
            "sentry.grpc.metrics.enabled=true",
            "sentry.grpc.metrics.interval=30s",
            "sentry.grpc.logs.failed-calls=true",
            "sentry.grpc.logs.access=true",
            "sentry.grpc.logs.status-codes=unavailable",
            "sentry.grpc.logs.client-status-codes=",
            "sentry.grpc.logs.max-per-second=7")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
              assertThat(options.ignoredMethods())
                  .containsExactly("shop.Internal/*", "shop.Health/Check");
              assertThat(options.capturedStatusCodes())
                  .containsExactlyInAnyOrder(
                      Status.Code.INTERNAL, Status.Code.DATA_LOSS, Status.Code.UNAVAILABLE);
              assertThat(options.rethrow()).isFalse();
              assertThat(options.flushOnError()).isEqualTo(Duration.ofSeconds(2));
              assertThat(options.traceStreamingCalls()).isFalse();
              assertThat(options.capturedMetadata()).containsExactly("x-tenant", "x-request-id");
              assertThat(options.capturedErrorDetails())
                  .containsExactly("DebugInfo", "ErrorInfo.metadata");
              assertThat(continues(options)).isFalse();
              assertThat(options.capturedClientStatusCodes())
                  .containsExactlyInAnyOrder(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
              assertThat(options.clientBreadcrumbs()).isFalse();
              assertThat(serverInterceptor(context).getOrder()).isEqualTo(5);
              assertThat(clientInterceptor(context).getOrder()).isEqualTo(-5);
              assertThat(options.metrics()).isTrue();
              assertThat(options.metricsInterval()).isEqualTo(Duration.ofSeconds(30));
              assertThat(options.failedCallLogs()).isTrue();
              assertThat(options.accessLogs()).isTrue();
              assertThat(options.loggedStatusCodes()).containsExactly(Status.Code.UNAVAILABLE);
              assertThat(options.loggedClientStatusCodes()).isEmpty();
              assertThat(options.maxLogsPerSecond()).isEqualTo(7);
            });
  }

  @Test
  void emptyListsTurnTheDefaultsOff() {
    runner
        .withPropertyValues(
            "sentry.grpc.ignored-methods=", "sentry.grpc.captured-status-codes=")
        .run(
            context -> {
              SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
              assertThat(options.ignoredMethods()).isEmpty();
              assertThat(options.capturedStatusCodes()).isEmpty();
            });
  }

  @Test
  void anUnknownErrorDetailsPartStopsTheStartWithItsName() {
    runner
        .withPropertyValues("sentry.grpc.captured-error-details=DebugInfo,StackTrace")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("StackTrace")
                    .hasMessageContaining("ErrorInfo.metadata"));
  }

  @Test
  void zeroFlushOnErrorMeansNoWaiting() {
    runner
        .withPropertyValues("sentry.grpc.flush-on-error=0s")
        .run(context -> assertThat(context.getBean(SentryGrpcOptions.class).flushOnError()).isNull());
  }

  @Test
  void customizersRunAfterTheProperties() {
    runner
        .withPropertyValues("sentry.grpc.rethrow=false", "sentry.grpc.client.breadcrumbs=false")
        .withUserConfiguration(Customizers.class)
        .run(
            context -> {
              SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
              assertThat(options.rethrow()).isFalse();
              // The later customizer (@Order 2) wins over the earlier one.
              assertThat(options.clientBreadcrumbs()).isTrue();
              assertThat(options.continueIncomingTraces().test(null, new Metadata())).isFalse();
            });
  }

  // ---- helpers and configurations ----

  private static boolean continues(SentryGrpcOptions options) {
    // The boolean form of the option ignores its arguments.
    return options.continueIncomingTraces().test(null, new Metadata());
  }

  private static OrderedServerInterceptor serverInterceptor(AssertableApplicationContext context) {
    return context.getBean(
        SentryGrpcBeanNames.SERVER_INTERCEPTOR, OrderedServerInterceptor.class);
  }

  private static OrderedClientInterceptor clientInterceptor(AssertableApplicationContext context) {
    return context.getBean(
        SentryGrpcBeanNames.CLIENT_INTERCEPTOR, OrderedClientInterceptor.class);
  }

  private static void assertNoServerInterceptor(AssertableApplicationContext context) {
    assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
    assertThat(context).doesNotHaveBean(SentryServerInterceptor.class);
  }

  private static void assertNoClientInterceptor(AssertableApplicationContext context) {
    assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
    assertThat(context).doesNotHaveBean(SentryClientInterceptor.class);
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnServerInterceptor {
    @Bean
    @GlobalServerInterceptor
    SentryServerInterceptor mySentryServerInterceptor() {
      return new SentryServerInterceptor();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClientInterceptor {
    @Bean
    @GlobalClientInterceptor
    SentryClientInterceptor mySentryClientInterceptor() {
      return new SentryClientInterceptor();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    SentryGrpcOptionsCustomizer breadcrumbsAfterAll() {
      return options -> options.clientBreadcrumbs(true);
    }

    @Bean
    @Order(1)
    SentryGrpcOptionsCustomizer noTraceContinuationAndNoBreadcrumbs() {
      return options ->
          options.continueIncomingTraces((call, headers) -> false).clientBreadcrumbs(false);
    }
  }
}

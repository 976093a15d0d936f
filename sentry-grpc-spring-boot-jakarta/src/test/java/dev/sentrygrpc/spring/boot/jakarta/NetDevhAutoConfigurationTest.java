package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.kotlin.SentryCoroutineContextServerInterceptor;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.OrderedServerInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcProperties;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.Sentry;
import io.sentry.spring.boot.jakarta.SentryAutoConfiguration;
import java.time.Duration;
import java.util.List;
import net.devh.boot.grpc.client.autoconfigure.GrpcClientAutoConfiguration;
import net.devh.boot.grpc.client.interceptor.GlobalClientInterceptorRegistry;
import net.devh.boot.grpc.client.interceptor.GrpcGlobalClientInterceptor;
import net.devh.boot.grpc.common.util.InterceptorOrder;
import net.devh.boot.grpc.server.advice.GrpcAdvice;
import net.devh.boot.grpc.server.advice.GrpcExceptionHandler;
import net.devh.boot.grpc.server.autoconfigure.GrpcAdviceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import net.devh.boot.grpc.server.error.GrpcExceptionInterceptor;
import net.devh.boot.grpc.server.interceptor.GlobalServerInterceptorRegistry;
import net.devh.boot.grpc.server.interceptor.GrpcGlobalServerInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The Boot 3 auto-configuration with net.devh grpc-spring's own auto-configuration: where the
 * interceptors land in net.devh's registries, when they are there, and what the properties do.
 */
class NetDevhAutoConfigurationTest {

  /** Sentry's Boot 3 auto-configuration, switched on by a DSN nothing is ever sent to here. */
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SentryAutoConfiguration.class,
                  GrpcServerAutoConfiguration.class,
                  GrpcClientAutoConfiguration.class,
                  SentryGrpcAutoConfiguration.class))
          .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1", "grpc.server.port=-1");

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  // ---- where they sit ----

  @Test
  void theServerInterceptorGoesInsideTheAdviceAndOutsideMetricsAndSecurity() {
    runner
        .withConfiguration(AutoConfigurations.of(GrpcAdviceAutoConfiguration.class))
        .withUserConfiguration(Advice.class, NetDevhsOwnInterceptors.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              OrderedServerInterceptor sentry = serverInterceptor(context);
              assertThat(sentry.getDelegate()).isInstanceOf(SentryServerInterceptor.class);
              assertThat(sentry.getOrder()).isEqualTo(1000);
              assertThat(
                      context.findAnnotationOnBean(
                          SentryGrpcBeanNames.SERVER_INTERCEPTOR, GrpcGlobalServerInterceptor.class))
                  .isNotNull();

              List<ServerInterceptor> chain = serverChain(context);
              assertThat(chain.indexOf(sentry))
                  .isGreaterThan(indexOfType(chain, GrpcExceptionInterceptor.class))
                  .isLessThan(chain.indexOf(context.getBean("metrics")))
                  .isLessThan(chain.indexOf(context.getBean("securityExceptionHandling")));
              // grpc-kotlin is on the test class path: right inside Sentry.
              assertThat(chain.get(chain.indexOf(sentry) + 1))
                  .isSameAs(context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR));
            });
  }

  @Test
  void theClientInterceptorGoesOutsideNetDevhsOwn() {
    runner
        .withUserConfiguration(NetDevhsOwnInterceptors.class)
        .run(
            context -> {
              OrderedClientInterceptor sentry = clientInterceptor(context);
              assertThat(sentry.getDelegate()).isInstanceOf(SentryClientInterceptor.class);
              assertThat(sentry.getOrder()).isEqualTo(SentryGrpcProperties.DEFAULT_ORDER);
              assertThat(
                      context.findAnnotationOnBean(
                          SentryGrpcBeanNames.CLIENT_INTERCEPTOR, GrpcGlobalClientInterceptor.class))
                  .isNotNull();
              List<ClientInterceptor> chain =
                  context.getBean(GlobalClientInterceptorRegistry.class).getClientInterceptors();
              assertThat(chain).containsExactly(sentry, context.getBean("clientMetrics", ClientInterceptor.class));
            });
  }

  @Test
  void theOrderPropertiesMoveThem() {
    runner
        .withUserConfiguration(NetDevhsOwnInterceptors.class)
        .withPropertyValues("sentry.grpc.server.order=3000", "sentry.grpc.client.order=3000")
        .run(
            context -> {
              List<ServerInterceptor> server = serverChain(context);
              assertThat(server.indexOf(serverInterceptor(context)))
                  .isGreaterThan(server.indexOf(context.getBean("metrics")))
                  .isLessThan(server.indexOf(context.getBean("securityExceptionHandling")));
              assertThat(
                      ((OrderedServerInterceptor)
                              context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR))
                          .getOrder())
                  .isEqualTo(3001);
              assertThat(
                      context.getBean(GlobalClientInterceptorRegistry.class).getClientInterceptors())
                  .containsExactly(context.getBean("clientMetrics", ClientInterceptor.class), clientInterceptor(context));
            });
  }

  // ---- on and off ----

  @Test
  void registersNothingWhenTurnedOff() {
    runner
        .withPropertyValues("sentry.grpc.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(IScopes.class);
              assertThat(context).doesNotHaveBean(SentryGrpcOptions.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
            });
  }

  @Test
  void eachSideCanBeTurnedOffAlone() {
    runner
        .withPropertyValues("sentry.grpc.server.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
              assertThat(context).doesNotHaveBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
    runner
        .withPropertyValues("sentry.grpc.client.enabled=false")
        .run(
            context -> {
              assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
              assertThat(context).doesNotHaveBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void registersNothingWhenSentryIsNotConfigured() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SentryAutoConfiguration.class,
                GrpcServerAutoConfiguration.class,
                SentryGrpcAutoConfiguration.class))
        .withPropertyValues("grpc.server.port=-1")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(IScopes.class);
              assertThat(context).doesNotHaveBean(SentryGrpcOptions.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
            });
  }

  @Test
  void registersNoInterceptorWithoutNetDevh() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(SentryAutoConfiguration.class, SentryGrpcAutoConfiguration.class))
        .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1")
        .withClassLoader(new FilteredClassLoader("net.devh"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedClientInterceptor.class);
              // Still there for interceptors registered by hand.
              assertThat(context).hasSingleBean(SentryGrpcOptions.class);
            });
  }

  @Test
  void registersOnlyTheClientWithNetDevhsClientStarterAlone() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SentryAutoConfiguration.class,
                GrpcClientAutoConfiguration.class,
                SentryGrpcAutoConfiguration.class))
        .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1")
        .withClassLoader(new FilteredClassLoader("net.devh.boot.grpc.server"))
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void anApplicationsOwnServerInterceptorReplacesOursAndTheCoroutineContextOne() {
    runner
        .withBean(SentryServerInterceptor.class, SentryServerInterceptor::new)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SentryServerInterceptor.class);
              assertThat(context).doesNotHaveBean(OrderedServerInterceptor.class);
              assertThat(context).hasBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR);
            });
  }

  @Test
  void theCoroutineContextInterceptorNeedsGrpcKotlinAndSentrysKotlinExtensions() {
    runner.run(
        context ->
            assertThat(
                    ((OrderedServerInterceptor)
                            context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR))
                        .getDelegate())
                .isInstanceOf(SentryCoroutineContextServerInterceptor.class));
    for (String missing : new String[] {"io.grpc.kotlin", "io.sentry.kotlin"}) {
      runner
          .withClassLoader(new FilteredClassLoader(missing))
          .run(
              context -> {
                assertThat(context).hasBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR);
                assertThat(context).doesNotHaveBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR);
              });
    }
  }

  // ---- net.devh's exception handling ----

  @Test
  void withAGrpcAdviceExceptionsGetTheStatusItGivesThem() {
    runner
        .withConfiguration(AutoConfigurations.of(GrpcAdviceAutoConfiguration.class))
        .withUserConfiguration(Advice.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              var exceptionStatus = context.getBean(SentryGrpcOptions.class).exceptionStatus();
              assertThat(exceptionStatus).isInstanceOf(GrpcAdviceExceptionStatus.class);
              assertThat(exceptionStatus.apply(new IllegalArgumentException()).getCode())
                  .isEqualTo(Status.Code.INVALID_ARGUMENT);
              // net.devh answers INTERNAL for what no handler maps.
              assertThat(exceptionStatus.apply(new IllegalStateException()).getCode())
                  .isEqualTo(Status.Code.INTERNAL);
            });
  }

  @Test
  void withoutAGrpcAdviceExceptionsStayUnknown() {
    // net.devh has no exception interceptor then: grpc-java's UNKNOWN, every exception captured.
    runner.run(
        context -> {
          assertThat(context).doesNotHaveBean(GrpcExceptionInterceptor.class);
          assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus()).isNull();
        });
  }

  @Test
  void anApplicationsOwnOptionsAreUsedAndThePropertiesIgnored() {
    SentryGrpcOptions own = SentryGrpcOptions.builder().rethrow(false).build();
    runner
        .withConfiguration(AutoConfigurations.of(GrpcAdviceAutoConfiguration.class))
        .withUserConfiguration(Advice.class)
        .withBean(SentryGrpcOptions.class, () -> own)
        .run(
            context -> {
              assertThat(context.getBean(SentryGrpcOptions.class)).isSameAs(own);
              assertThat(own.exceptionStatus()).isNull();
            });
  }

  // ---- properties: the same on every stack ----

  @Test
  void everyPropertyReachesTheOptions() {
    runner
        .withPropertyValues(
            "sentry.grpc.ignored-methods=shop.Internal/*",
            "sentry.grpc.captured-status-codes=internal,data-loss,unavailable",
            "sentry.grpc.rethrow=false",
            "sentry.grpc.flush-on-error=2s",
            "sentry.grpc.trace-streaming-calls=false",
            "sentry.grpc.captured-metadata=X-Tenant",
            "sentry.grpc.continue-incoming-traces=false",
            "sentry.grpc.client.captured-status-codes=UNAVAILABLE",
            "sentry.grpc.client.breadcrumbs=false")
        .run(
            context -> {
              SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
              assertThat(options.ignoredMethods()).containsExactly("shop.Internal/*");
              assertThat(options.capturedStatusCodes())
                  .containsExactlyInAnyOrder(
                      Status.Code.INTERNAL, Status.Code.DATA_LOSS, Status.Code.UNAVAILABLE);
              assertThat(options.rethrow()).isFalse();
              assertThat(options.flushOnError()).isEqualTo(Duration.ofSeconds(2));
              assertThat(options.traceStreamingCalls()).isFalse();
              assertThat(options.capturedMetadata()).containsExactly("x-tenant");
              assertThat(options.continueIncomingTraces().test(null, null)).isFalse();
              assertThat(options.capturedClientStatusCodes())
                  .containsExactly(Status.Code.UNAVAILABLE);
              assertThat(options.clientBreadcrumbs()).isFalse();
            });
  }

  @Test
  void withoutPropertiesTheOptionsAreTheLibrarysDefaults() {
    runner.run(
        context -> {
          SentryGrpcOptions options = context.getBean(SentryGrpcOptions.class);
          SentryGrpcOptions defaults = SentryGrpcOptions.defaults();
          assertThat(options.rethrow()).isEqualTo(defaults.rethrow());
          assertThat(options.ignoredMethods()).isEqualTo(defaults.ignoredMethods());
          assertThat(options.capturedStatusCodes()).isEqualTo(defaults.capturedStatusCodes());
          assertThat(options.traceStreamingCalls()).isEqualTo(defaults.traceStreamingCalls());
          assertThat(options.capturedClientStatusCodes())
              .isEqualTo(defaults.capturedClientStatusCodes());
          assertThat(options.clientBreadcrumbs()).isEqualTo(defaults.clientBreadcrumbs());
        });
  }

  // ---- helpers and configurations ----

  private static List<ServerInterceptor> serverChain(AssertableApplicationContext context) {
    // The list net.devh binds every @GrpcService with; the first runs first (outermost).
    return context.getBean(GlobalServerInterceptorRegistry.class).getServerInterceptors();
  }

  private static int indexOfType(List<?> list, Class<?> type) {
    for (int i = 0; i < list.size(); i++) {
      if (type.isInstance(list.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + list);
  }

  private static OrderedServerInterceptor serverInterceptor(AssertableApplicationContext context) {
    return context.getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR, OrderedServerInterceptor.class);
  }

  private static OrderedClientInterceptor clientInterceptor(AssertableApplicationContext context) {
    return context.getBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR, OrderedClientInterceptor.class);
  }

  @Configuration(proxyBeanMethods = false)
  static class Advice {
    @Bean
    IllegalArguments illegalArguments() {
      return new IllegalArguments();
    }
  }

  @GrpcAdvice
  public static class IllegalArguments {
    @GrpcExceptionHandler
    public Status illegalArgument(IllegalArgumentException e) {
      return Status.INVALID_ARGUMENT.withCause(e);
    }
  }

  /** Stand-ins at the orders net.devh gives its own metrics and security interceptors. */
  @Configuration(proxyBeanMethods = false)
  static class NetDevhsOwnInterceptors {
    @GrpcGlobalServerInterceptor
    @Order(InterceptorOrder.ORDER_TRACING_METRICS)
    ServerInterceptor metrics() {
      return new PassThroughServerInterceptor();
    }

    @GrpcGlobalServerInterceptor
    @Order(InterceptorOrder.ORDER_SECURITY_EXCEPTION_HANDLING)
    ServerInterceptor securityExceptionHandling() {
      return new PassThroughServerInterceptor();
    }

    @GrpcGlobalClientInterceptor
    @Order(InterceptorOrder.ORDER_TRACING_METRICS)
    ClientInterceptor clientMetrics() {
      return new PassThroughClientInterceptor();
    }
  }
}

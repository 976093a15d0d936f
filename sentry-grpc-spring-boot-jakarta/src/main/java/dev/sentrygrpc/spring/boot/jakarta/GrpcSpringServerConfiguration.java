package dev.sentrygrpc.spring.boot.jakarta;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.spring.OrderedServerInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SentryGrpcOptionsCustomizer;
import dev.sentrygrpc.spring.SentryGrpcProperties;
import dev.sentrygrpc.spring.SpringGrpcServerConfiguration;
import net.devh.boot.grpc.common.util.InterceptorOrder;
import net.devh.boot.grpc.server.advice.GrpcAdviceExceptionHandler;
import net.devh.boot.grpc.server.advice.GrpcExceptionHandlerMethodResolver;
import net.devh.boot.grpc.server.interceptor.GrpcGlobalServerInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The server side with net.devh grpc-spring ({@code grpc-server-spring-boot-starter}): the Sentry
 * server interceptor as one of its global server interceptors, on every {@code @GrpcService}.
 *
 * <p>net.devh runs the lowest order first (outermost) and takes an interceptor's order from an
 * {@code @Order} on its class or factory method before its {@code Ordered#getOrder()}: the bean
 * methods here carry none, so {@code sentry.grpc.server.order} decides. By default the interceptor
 * goes at {@link #DEFAULT_SERVER_ORDER}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = "net.devh.boot.grpc.server.interceptor.GrpcGlobalServerInterceptor")
@ConditionalOnBooleanProperty(name = "sentry.grpc.server.enabled", matchIfMissing = true)
class GrpcSpringServerConfiguration {

  /**
   * Inside net.devh's {@code @GrpcAdvice} exception handling ({@code
   * ORDER_GLOBAL_EXCEPTION_HANDLING}, 0), so Sentry sees the exceptions service methods throw
   * before they become statuses, and outside its metrics and tracing ({@code
   * ORDER_TRACING_METRICS}, 2500) and security ({@code ORDER_SECURITY_EXCEPTION_HANDLING}, 5000,
   * and after), so a call security refuses still gets its transaction, with the status the client
   * sees, and metrics run inside the call's scopes.
   */
  static final int DEFAULT_SERVER_ORDER = InterceptorOrder.ORDER_GLOBAL_EXCEPTION_HANDLING + 1000;

  @Bean(SentryGrpcBeanNames.SERVER_INTERCEPTOR)
  @GrpcGlobalServerInterceptor
  @ConditionalOnMissingBean(
      value = SentryServerInterceptor.class,
      name = SentryGrpcBeanNames.SERVER_INTERCEPTOR)
  OrderedServerInterceptor sentryGrpcServerInterceptor(
      SentryGrpcOptions options, SentryGrpcProperties properties) {
    return new OrderedServerInterceptor(
        new SentryServerInterceptor(options), properties.getServer().orderOr(DEFAULT_SERVER_ORDER));
  }

  /** grpc-kotlin services: right inside the Sentry server interceptor, as with Spring gRPC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {"io.grpc.kotlin.CoroutineContextServerInterceptor", "io.sentry.kotlin.SentryContext"})
  static class CoroutineConfiguration {

    @Bean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR)
    @GrpcGlobalServerInterceptor
    @ConditionalOnMissingBean(
        value = SentryServerInterceptor.class,
        name = SentryGrpcBeanNames.COROUTINE_INTERCEPTOR)
    OrderedServerInterceptor sentryGrpcCoroutineContextInterceptor(SentryGrpcProperties properties) {
      return SpringGrpcServerConfiguration.coroutineContextInterceptor(
          properties.getServer().orderOr(DEFAULT_SERVER_ORDER));
    }
  }

  /**
   * net.devh's {@code @GrpcAdvice} exception handling as the options' {@code exceptionStatus}: only
   * when its exception interceptor exists (net.devh defines it when some {@code @GrpcAdvice} bean
   * does). Without it, grpc-java answers {@code UNKNOWN} and every thrown exception is captured.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "net.devh.boot.grpc.server.advice.GrpcAdviceExceptionHandler")
  @ConditionalOnBean(
      name = GrpcAdviceExceptionStatus.ADVICE_INTERCEPTOR_BEAN,
      type = "net.devh.boot.grpc.server.error.GrpcExceptionInterceptor")
  static class AdviceConfiguration {

    @Bean(SentryGrpcBeanNames.EXCEPTION_STATUS_CUSTOMIZER)
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = SentryGrpcBeanNames.EXCEPTION_STATUS_CUSTOMIZER)
    SentryGrpcOptionsCustomizer sentryGrpcExceptionStatus(
        ObjectProvider<GrpcExceptionHandlerMethodResolver> resolver,
        ObjectProvider<GrpcAdviceExceptionHandler> handler) {
      return options ->
          options.exceptionStatus(
              new GrpcAdviceExceptionStatus(resolver::getObject, handler::getObject));
    }
  }
}

package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.conformance.InvalidOrderException;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.conformance.OrdersService;
import dev.sentrygrpc.conformance.StorefrontService;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentryTransaction;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import net.devh.boot.grpc.client.inject.GrpcClient;
import net.devh.boot.grpc.common.util.InterceptorOrder;
import net.devh.boot.grpc.client.interceptor.GrpcGlobalClientInterceptor;
import net.devh.boot.grpc.server.interceptor.GrpcGlobalServerInterceptor;
import net.devh.boot.grpc.client.interceptor.GlobalClientInterceptorRegistry;
import net.devh.boot.grpc.client.security.CallCredentialsHelper;
import net.devh.boot.grpc.server.advice.GrpcAdvice;
import net.devh.boot.grpc.server.advice.GrpcExceptionHandler;
import net.devh.boot.grpc.server.error.GrpcExceptionInterceptor;
import net.devh.boot.grpc.server.interceptor.GlobalServerInterceptorRegistry;
import net.devh.boot.grpc.server.scope.GrpcRequestScope;
import net.devh.boot.grpc.server.security.authentication.BasicGrpcAuthenticationReader;
import net.devh.boot.grpc.server.security.authentication.GrpcAuthenticationReader;
import net.devh.boot.grpc.server.security.interceptors.AuthenticatingServerInterceptor;
import net.devh.boot.grpc.server.security.interceptors.ExceptionTranslatingServerInterceptor;
import net.devh.boot.grpc.server.service.GrpcService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.annotation.Secured;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot 3.5 application on net.devh grpc-spring 3.1 with its real starters, Sentry's own
 * Boot 3 starter and nothing of sentry-grpc named in its code: the conformance cases through
 * net.devh's Netty server and {@code @GrpcClient} channels (Storefront calls Orders through one,
 * over net.devh's in-process transport), then what net.devh does of its own: a {@code @GrpcAdvice}
 * mapping, a method its Spring Security support refuses, the interceptor order.
 */
@SpringBootTest(
    classes = NetDevhApplicationTest.Shop.class,
    properties = {
      "grpc.server.address=127.0.0.1",
      "grpc.server.in-process-name=" + NetDevhApplicationTest.IN_PROCESS,
      "grpc.client.self.negotiation-type=PLAINTEXT",
      "grpc.client.orders.address=in-process:" + NetDevhApplicationTest.IN_PROCESS,
      "grpc.client.in-process.address=in-process:" + NetDevhApplicationTest.IN_PROCESS,
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class NetDevhApplicationTest extends FrameworkConformanceTest {
  static final String IN_PROCESS = "net-devh-shop";
  private static final String ECHO = "sentrygrpc.test.EchoService/Unary";

  private static final SentryReceiver receiver = SentryReceiver.start();
  private static final int PORT = freePort();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("sentry.dsn", receiver::dsn);
    registry.add("grpc.server.port", () -> PORT);
    registry.add("grpc.client.self.address", () -> "static://127.0.0.1:" + PORT);
  }

  @AfterAll
  static void stopSentry() {
    Sentry.close();
    receiver.close();
  }

  /** Over Netty, as a remote caller. */
  @GrpcClient("self")
  private Channel self;

  /** Over net.devh's in-process transport. */
  @GrpcClient("in-process")
  private Channel inProcess;

  @Autowired private ApplicationContext context;

  @Override
  protected SentryReceiver receiver() {
    return receiver;
  }

  @Override
  protected Channel channel() {
    return self;
  }

  @Override
  protected Channel healthChannel() {
    // net.devh serves grpc.health.v1.Health when grpc-services is on the class path.
    return self;
  }

  /** With a @GrpcAdvice in the application, net.devh answers INTERNAL for what none maps. */
  @Override
  protected Status.Code unmappedExceptionStatus() {
    return Status.Code.INTERNAL;
  }

  // ---- net.devh's own exception handling ----

  @Test
  void anExceptionTheGrpcAdviceMapsOnlySetsTheTransactionStatus() {
    String tag = newTag();
    InANewTrace call =
        InANewTrace.call(() -> OrdersGrpc.newBlockingStub(inProcess).place(order(tag, "invalid")));

    // The advice, outside Sentry, still decides what the client gets...
    assertThat(call.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(call.failure.getStatus().getDescription()).isEqualTo("invalid order: " + tag);
    // ...Sentry asked it too: the transaction has that status, and it is no error.
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(call.events(receiver)).isEmpty();
  }

  @Test
  void theOptionsAskNetDevhsAdvice() {
    assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus())
        .isInstanceOf(GrpcAdviceExceptionStatus.class);
  }

  // ---- net.devh's Spring Security support ----

  @Test
  void aSecuredMethodRefusingACallerWithoutCredentialsIsNoErrorButAnUnauthenticatedTransaction() {
    InANewTrace call =
        InANewTrace.call(
            () -> EchoServiceGrpc.newBlockingStub(inProcess).unary(echo("who am I")));

    assertThat(call.status()).isEqualTo(Status.Code.UNAUTHENTICATED);
    SentryTransaction served = call.transaction(receiver, ECHO);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.UNAUTHENTICATED);
    assertThat(call.events(receiver)).isEmpty();
  }

  @Test
  void theSecuredMethodServesACallerWithCredentials() {
    // The refusal above is security's, not a side effect of Sentry: with credentials it works.
    EchoReply reply =
        EchoServiceGrpc.newBlockingStub(inProcess)
            .withCallCredentials(CallCredentialsHelper.basicAuth("shopper", "secret"))
            .unary(echo("hello"));
    assertThat(reply.getMessage()).isEqualTo("hello for shopper");
  }

  // ---- where the interceptors sit in net.devh's chains ----

  @Test
  void sentryComesInsideTheAdviceAndOutsideMetricsAndSecurity() {
    // The registry net.devh builds every service's chain from; the first runs first (outermost).
    List<ServerInterceptor> server =
        context.getBean(GlobalServerInterceptorRegistry.class).getServerInterceptors();
    assertThat(server).hasSize(7);
    // net.devh's request scope (ORDER_FIRST) only opens @GrpcRequestScope beans' scope.
    assertThat(server.get(0)).isInstanceOf(GrpcRequestScope.class);
    assertThat(server.get(1)).isInstanceOf(GrpcExceptionInterceptor.class);
    assertThat(server.get(2)).isSameAs(context.getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR));
    // grpc-kotlin is on the test class path: the coroutine context comes right inside Sentry.
    assertThat(server.get(3)).isSameAs(context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR));
    assertThat(server.get(4)).isSameAs(context.getBean("metricsStandIn"));
    assertThat(server.get(5)).isInstanceOf(ExceptionTranslatingServerInterceptor.class);
    assertThat(server.get(6)).isInstanceOf(AuthenticatingServerInterceptor.class);

    List<ClientInterceptor> client =
        context.getBean(GlobalClientInterceptorRegistry.class).getClientInterceptors();
    assertThat(client).hasSize(2);
    assertThat(client.get(0)).isSameAs(context.getBean(SentryGrpcBeanNames.CLIENT_INTERCEPTOR));
    assertThat(client.get(1)).isSameAs(context.getBean("clientMetricsStandIn"));
  }

  private static EchoRequest echo(String message) {
    return EchoRequest.newBuilder().setMessage(message).build();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMethodSecurity(securedEnabled = true, proxyTargetClass = true)
  static class Shop {

    @GrpcService
    OrdersService orders() {
      return new OrdersService();
    }

    @Bean
    OrdersClient ordersClient() {
      return new OrdersClient();
    }

    @GrpcService
    StorefrontService storefront(OrdersClient client) {
      return new StorefrontService(() -> client.orders);
    }

    @GrpcService
    SecuredEcho securedEcho() {
      return new SecuredEcho();
    }

    @Bean
    InvalidOrders invalidOrders() {
      return new InvalidOrders();
    }

    /** What an application's own authentication looks like: one user, with a role. */
    @Bean
    AuthenticationManager authenticationManager() {
      return authentication -> {
        if ("shopper".equals(authentication.getName())
            && "secret".equals(authentication.getCredentials())) {
          return UsernamePasswordAuthenticationToken.authenticated(
              "shopper", null, AuthorityUtils.createAuthorityList("ROLE_SHOPPER"));
        }
        throw new BadCredentialsException("unknown user");
      };
    }

    @Bean
    GrpcAuthenticationReader authenticationReader() {
      return new BasicGrpcAuthenticationReader();
    }

    /** Stands for net.devh's metrics interceptor (ORDER_TRACING_METRICS, 2500). */
    @GrpcGlobalServerInterceptor
    @Order(
        InterceptorOrder.ORDER_TRACING_METRICS)
    ServerInterceptor metricsStandIn() {
      return new PassThroughServerInterceptor();
    }

    /** Stands for net.devh's client metrics interceptor (ORDER_TRACING_METRICS, 2500). */
    @GrpcGlobalClientInterceptor
    @Order(
        InterceptorOrder.ORDER_TRACING_METRICS)
    ClientInterceptor clientMetricsStandIn() {
      return new PassThroughClientInterceptor();
    }
  }

  /** Where Storefront's Orders stub comes from: net.devh's own client. */
  static class OrdersClient {
    @GrpcClient("orders")
    OrdersGrpc.OrdersStub orders;
  }

  /** An application's exception mapping. */
  @GrpcAdvice
  public static class InvalidOrders {
    @GrpcExceptionHandler(InvalidOrderException.class)
    public Status invalidOrder(InvalidOrderException e) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).withCause(e);
    }
  }

  /** Only for shoppers, through Spring Security's method security. */
  static class SecuredEcho extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    @Secured("ROLE_SHOPPER")
    public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
      String user =
          SecurityContextHolder.getContext()
              .getAuthentication()
              .getName();
      replies.onNext(EchoReply.newBuilder().setMessage(request.getMessage() + " for " + user).build());
      replies.onCompleted();
    }
  }
}

package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.config.Customizer.withDefaults;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.conformance.InvalidOrderException;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.conformance.OrdersService;
import dev.sentrygrpc.conformance.StorefrontService;
import dev.sentrygrpc.spring.OrderedClientInterceptor;
import dev.sentrygrpc.spring.SentryGrpcBeanNames;
import dev.sentrygrpc.spring.SpringGrpcExceptionStatus;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.client.interceptor.security.BasicAuthenticationInterceptor;
import org.springframework.grpc.internal.ApplicationContextBeanLookupUtils;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.grpc.server.security.AuthenticationProcessInterceptor;
import org.springframework.grpc.server.security.GrpcSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.function.SingletonSupplier;

/**
 * A Spring Boot 3.5 application on Spring gRPC 0.12 with its real starter, Spring Security, Sentry's
 * own Boot 3 starter and nothing of sentry-grpc named in its code: the conformance cases through
 * Spring gRPC's Netty server and {@code GrpcChannelFactory} channels (Storefront calls Orders
 * through one, over Spring gRPC's in-process transport), then what Spring gRPC does of its own: a
 * {@code GrpcExceptionHandler} mapping, a method Spring Security refuses, the interceptor order.
 */
@SpringBootTest(
    classes = SpringGrpcApplicationTest.Shop.class,
    properties = {
      "spring.grpc.server.port=0",
      "spring.grpc.server.inprocess.name=" + SpringGrpcApplicationTest.IN_PROCESS,
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class SpringGrpcApplicationTest extends FrameworkConformanceTest {
  static final String IN_PROCESS = "spring-grpc-shop";
  private static final String ECHO = "sentrygrpc.test.EchoService/Unary";

  private static final SentryReceiver receiver = SentryReceiver.start();

  @DynamicPropertySource
  static void sentryDsn(DynamicPropertyRegistry registry) {
    registry.add("sentry.dsn", receiver::dsn);
  }

  @AfterAll
  static void stopSentry() {
    Sentry.close();
    receiver.close();
  }

  @Autowired private GrpcChannelFactory channels;
  @Autowired private Shop shop;
  @Autowired private ApplicationContext context;

  private Channel overNetty;
  private Channel inProcess;

  @BeforeEach
  void connect() throws Exception {
    overNetty = channels.createChannel("127.0.0.1:" + shop.port.get(30, TimeUnit.SECONDS));
    inProcess = channels.createChannel("in-process:" + IN_PROCESS);
  }

  @Override
  protected SentryReceiver receiver() {
    return receiver;
  }

  @Override
  protected Channel channel() {
    return overNetty;
  }

  @Override
  protected Channel healthChannel() {
    // Spring gRPC serves grpc.health.v1.Health when grpc-services is on the class path.
    return overNetty;
  }

  // ---- Spring gRPC's own exception handling ----

  @Test
  void anExceptionAGrpcExceptionHandlerMapsOnlySetsTheTransactionStatus() {
    String tag = newTag();
    InANewTrace call =
        InANewTrace.call(() -> OrdersGrpc.newBlockingStub(inProcess).place(order(tag, "invalid")));

    assertThat(call.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(call.failure.getStatus().getDescription()).isEqualTo("invalid order: " + tag);
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(call.events(receiver)).isEmpty();
  }

  @Test
  void theOptionsAskSpringGrpcsExceptionHandlers() {
    assertThat(context.getBean(SentryGrpcOptions.class).exceptionStatus())
        .isInstanceOf(SpringGrpcExceptionStatus.class);
  }

  // ---- Spring Security ----

  @Test
  void aCallSpringSecurityRefusesIsNoErrorButAnUnauthenticatedTransaction() {
    // Spring Security's interceptor throws, inside Sentry; Spring gRPC's exception handling,
    // outside it, turns that into UNAUTHENTICATED, and Sentry asked the same handlers.
    InANewTrace call =
        InANewTrace.call(() -> EchoServiceGrpc.newBlockingStub(inProcess).unary(echo("who am I")));

    assertThat(call.status()).isEqualTo(Status.Code.UNAUTHENTICATED);
    SentryTransaction served = call.transaction(receiver, ECHO);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.UNAUTHENTICATED);
    assertThat(call.events(receiver)).isEmpty();
  }

  @Test
  void theSecuredServiceServesACallerWithCredentials() {
    EchoReply reply =
        EchoServiceGrpc.newBlockingStub(inProcess)
            .withInterceptors(new BasicAuthenticationInterceptor("shopper", "secret"))
            .unary(echo("hello"));
    assertThat(reply.getMessage()).isEqualTo("hello");
  }

  // ---- where the interceptors sit ----

  @Test
  void sentryComesJustInsideSpringGrpcsExceptionHandlingAndBeforeSecurity() {
    // The lookup Spring gRPC builds every service's and channel's chain with; first is outermost.
    List<ServerInterceptor> server =
        ApplicationContextBeanLookupUtils.getBeansWithAnnotation(
            context, ServerInterceptor.class, GlobalServerInterceptor.class);
    assertThat(server).hasSize(4);
    assertThat(server.get(0)).isInstanceOf(GrpcExceptionHandlerInterceptor.class);
    assertThat(server.get(1)).isSameAs(context.getBean(SentryGrpcBeanNames.SERVER_INTERCEPTOR));
    assertThat(server.get(2)).isSameAs(context.getBean(SentryGrpcBeanNames.COROUTINE_INTERCEPTOR));
    assertThat(server.get(3)).isInstanceOf(AuthenticationProcessInterceptor.class);

    List<ClientInterceptor> client =
        ApplicationContextBeanLookupUtils.getBeansWithAnnotation(
            context, ClientInterceptor.class, GlobalClientInterceptor.class);
    assertThat(client).hasSize(1);
    assertThat(client.get(0)).isInstanceOf(OrderedClientInterceptor.class);
  }

  private static EchoRequest echo(String message) {
    return EchoRequest.newBuilder().setMessage(message).build();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Shop {
    final CompletableFuture<Integer> port = new CompletableFuture<>();

    @EventListener
    void started(GrpcServerStartedEvent event) {
      if (event.getPort() > 0) {
        port.complete(event.getPort());
      }
    }

    @Bean
    OrdersService orders() {
      return new OrdersService();
    }

    @Bean
    StorefrontService storefront(GrpcChannelFactory channels) {
      // Storefront's Orders stub comes from Spring gRPC's own channel factory.
      SingletonSupplier<OrdersGrpc.OrdersStub> orders =
          SingletonSupplier.of(
              () -> OrdersGrpc.newStub(channels.createChannel("in-process:" + IN_PROCESS)));
      return new StorefrontService(orders);
    }

    @Bean
    EchoServiceGrpc.EchoServiceImplBase securedEcho() {
      return new EchoServiceGrpc.EchoServiceImplBase() {
        @Override
        public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
          replies.onNext(EchoReply.newBuilder().setMessage(request.getMessage()).build());
          replies.onCompleted();
        }
      };
    }

    /** An application's exception mapping. */
    @Bean
    GrpcExceptionHandler invalidOrders() {
      return exception ->
          exception instanceof InvalidOrderException
              ? Status.INVALID_ARGUMENT.withDescription(exception.getMessage()).asException()
              : null;
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("shopper").password("{noop}secret").authorities("ROLE_SHOPPER").build());
    }

    /** Spring Security for gRPC as Spring gRPC documents it: the echo service for shoppers only. */
    @Bean
    @GlobalServerInterceptor
    ServerInterceptor securityInterceptor(GrpcSecurity security) throws Exception {
      return security
          .authorizeRequests(
              requests ->
                  requests
                      .methods("sentrygrpc.test.EchoService/*")
                      .hasAuthority("ROLE_SHOPPER")
                      .allRequests()
                      .permitAll())
          .httpBasic(withDefaults())
          .build();
    }
  }
}

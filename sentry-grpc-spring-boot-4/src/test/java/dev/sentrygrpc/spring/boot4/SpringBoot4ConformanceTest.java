package dev.sentrygrpc.spring.boot4;

import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.conformance.OrdersService;
import dev.sentrygrpc.conformance.StorefrontService;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.sentry.Sentry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.function.SingletonSupplier;

/**
 * The conformance cases on Spring Boot 4.1 / Spring gRPC 1.1: its Netty server, {@code
 * GrpcChannelFactory} channels, Storefront calling Orders through one over the in-process
 * transport, Sentry's own Boot 4 starter.
 */
@SpringBootTest(
    classes = SpringBoot4ConformanceTest.Shop.class,
    properties = {
      "spring.grpc.server.port=0",
      "spring.grpc.server.inprocess.name=" + SpringBoot4ConformanceTest.IN_PROCESS,
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class SpringBoot4ConformanceTest extends FrameworkConformanceTest {
  static final String IN_PROCESS = "spring-boot-4-shop";

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
  private Channel channel;

  @BeforeEach
  void connect() throws Exception {
    channel = channels.createChannel("127.0.0.1:" + shop.port.get(30, TimeUnit.SECONDS));
  }

  @Override
  protected SentryReceiver receiver() {
    return receiver;
  }

  @Override
  protected Channel channel() {
    return channel;
  }

  @Override
  protected Channel healthChannel() {
    // Spring Boot serves grpc.health.v1.Health when grpc-services is on the class path.
    return channel;
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
      return new StorefrontService(
          SingletonSupplier.of(
              () -> OrdersGrpc.newStub(channels.createChannel("in-process:" + IN_PROCESS))));
    }
  }
}

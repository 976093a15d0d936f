package dev.sentrygrpc.spring.boot.jakarta;

import dev.sentrygrpc.conformance.CoroutineOrdersService;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.sentry.Sentry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The coroutine cases on Spring gRPC 0.12's in-process server, with no port open. */
@SpringBootTest(
    classes = SpringGrpcCoroutineServiceTest.CoroutineShop.class,
    properties = {
      "spring.grpc.server.inprocess.name=spring-grpc-coroutines",
      "spring.grpc.server.inprocess.exclusive=true",
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class SpringGrpcCoroutineServiceTest extends CoroutineServiceCases {
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
  private Channel channel;

  @BeforeEach
  void connect() {
    channel = channels.createChannel("in-process:spring-grpc-coroutines");
  }

  @Override
  SentryReceiver receiver() {
    return receiver;
  }

  @Override
  Channel channel() {
    return channel;
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class CoroutineShop {
    @Bean
    BindableService coroutineOrders() {
      return CoroutineOrdersService.bindable();
    }
  }
}

package dev.sentrygrpc.spring.boot.jakarta;

import dev.sentrygrpc.conformance.CoroutineOrdersService;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.sentry.Sentry;
import net.devh.boot.grpc.client.inject.GrpcClient;
import net.devh.boot.grpc.server.service.GrpcService;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The coroutine cases on net.devh grpc-spring's in-process server, with no port open. */
@SpringBootTest(
    classes = NetDevhCoroutineServiceTest.CoroutineShop.class,
    properties = {
      "grpc.server.port=-1",
      "grpc.server.in-process-name=net-devh-coroutines",
      "grpc.client.coroutines.address=in-process:net-devh-coroutines",
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class NetDevhCoroutineServiceTest extends CoroutineServiceCases {
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

  @GrpcClient("coroutines")
  private Channel channel;

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
    @GrpcService
    BindableService coroutineOrders() {
      return CoroutineOrdersService.bindable();
    }
  }
}

package dev.sentrygrpc.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.BindableService;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A grpc-kotlin coroutine service in a Spring Boot application: what it does with Sentry after
 * resuming on another thread belongs to its call, as it would in a plain Java service.
 */
@SpringBootTest(
    classes = SentryGrpcCoroutineServiceTest.CoroutineApplication.class,
    properties = {
      "spring.grpc.server.inprocess.name=" + SentryGrpcCoroutineServiceTest.SERVER_NAME,
      // Netty (shaded) is on the test class path for the conformance test: no fixed port.
      "spring.grpc.server.port=0",
      "sentry.traces-sample-rate=1.0"
    })
@DirtiesContext
class SentryGrpcCoroutineServiceTest {

  static final String SERVER_NAME = "sentry-grpc-coroutine-test";
  private static final String UNARY = "sentrygrpc.test.EchoService/Unary";
  /** Generous: only a bound on waiting for delivery, never something measured. */
  private static final Duration DELIVERY = Duration.ofSeconds(30);

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

  @Test
  void spansAndEventsFromACoroutineOnAnotherThreadBelongToTheCall() {
    EchoReply reply =
        EchoServiceGrpc.newBlockingStub(channels.createChannel("in-process:" + SERVER_NAME))
            .unary(EchoRequest.newBuilder().setMessage("suspended").build());
    assertThat(reply.getMessage()).isEqualTo("suspended");
    // The service's Sentry work ran on a thread of its own, not the one the call started on.
    assertThat(CoroutineEchoService.getWorkedOn().getName()).isEqualTo("coroutine-work");
    assertThat(CoroutineEchoService.getWorkedOn()).isNotSameAs(CoroutineEchoService.getStartedOn());

    SentryTransaction server = receiver.awaitTransaction(t -> UNARY.equals(t.getTransaction()), DELIVERY);
    assertThat(server.getSpans())
        .as("the coroutine's span is a child of the call's transaction")
        .anySatisfy(
            span -> {
              assertThat(span.getOp()).isEqualTo("coroutine.work");
              assertThat(span.getParentSpanId())
                  .isEqualTo(server.getContexts().getTrace().getSpanId());
            });
    SentryEvent event =
        receiver.awaitEvent(
            e -> e.getMessage() != null
                && "from a coroutine: suspended".equals(e.getMessage().getFormatted()),
            DELIVERY);
    assertThat(event.getContexts().getTrace().getTraceId())
        .as("the coroutine's event is in the call's trace")
        .isEqualTo(server.getContexts().getTrace().getTraceId());
    assertThat(event.getTags()).containsEntry("set.in", "coroutine");
    // The call's own data reached the coroutine's scopes too.
    assertThat(event.getContexts().get("grpc")).isNotNull();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class CoroutineApplication {
    @Bean
    BindableService coroutineEchoService() {
      return CoroutineEchoService.bindable();
    }
  }
}

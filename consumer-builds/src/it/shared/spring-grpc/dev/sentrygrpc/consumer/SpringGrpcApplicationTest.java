package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.consumer.greeter.GreetReply;
import dev.sentrygrpc.consumer.greeter.GreetRequest;
import dev.sentrygrpc.consumer.greeter.GreeterGrpc;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring gRPC application as a user writes it: a service bean, Sentry's DSN and sample rate as
 * properties, Spring gRPC's Netty server on a free port and a channel from its factory. Nothing
 * of sentry-grpc is named in the code. The same source runs in spring-boot-4 (Spring gRPC 1.1 on
 * Boot 4.1) and spring-boot-3-spring-grpc (Spring gRPC 0.12 on Boot 3.5): the code a user writes
 * does not change between them, only the dependencies.
 */
@SpringBootTest(
    classes = SpringGrpcApplicationTest.Shop.class,
    properties = {"spring.grpc.server.port=0", "sentry.traces-sample-rate=1.0"})
class SpringGrpcApplicationTest {
  private static final Duration DELIVERY = Duration.ofSeconds(30);
  private static final SentryReceiver receiver = SentryReceiver.start();

  @DynamicPropertySource
  static void sentry(DynamicPropertyRegistry registry) {
    registry.add("sentry.dsn", receiver::dsn);
  }

  @AfterAll
  static void stopReceiver() {
    receiver.close();
  }

  @Autowired private GrpcChannelFactory channels;
  @Autowired private Shop shop;

  @Test
  void theApplicationKeepsItsOwnGrpcJavaAndSentryVersions() {
    assertThat(ResolvedClassPath.grpcJava())
        .containsEntry("grpc-api", ResolvedClassPath.expected("expected.grpc.version"));
    assertThat(ResolvedClassPath.grpcJava().values())
        .containsOnly(ResolvedClassPath.expected("expected.grpc.version"));
    assertThat(ResolvedClassPath.sentry())
        .containsEntry("sentry", ResolvedClassPath.expected("expected.sentry.version"));
    assertThat(ResolvedClassPath.sentry().values())
        .containsOnly(ResolvedClassPath.expected("expected.sentry.version"));
  }

  @Test
  void aCallOverNettyIsOneTraceFromClientSpanToServerTransaction() throws Exception {
    GreeterGrpc.GreeterBlockingStub greeter = greeter();
    ITransaction checkout;
    GreetReply reply;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("consumer").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      checkout = Sentry.startTransaction("checkout", "task", bound);
      reply = greeter.greet(GreetRequest.newBuilder().setName("spring").build());
      checkout.finish();
    }

    assertThat(reply.getMessage()).isEqualTo("hello spring");
    SentryTransaction client =
        receiver.awaitTransaction(t -> "checkout".equals(t.getTransaction()), DELIVERY);
    SentryTransaction served =
        receiver.awaitTransaction(t -> "consumer.Greeter/Greet".equals(t.getTransaction()), DELIVERY);
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
  }

  @Test
  void aServiceExceptionIsOneErrorEvent() throws Exception {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> greeter().greet(GreetRequest.newBuilder().setName("boom").build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event =
        receiver.awaitEvent(
            e -> e.getExceptions() != null && !e.getExceptions().isEmpty(), DELIVERY);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("no greeting for boom");
  }

  private GreeterGrpc.GreeterBlockingStub greeter() throws Exception {
    int port = shop.port.get(30, TimeUnit.SECONDS);
    return GreeterGrpc.newBlockingStub(channels.createChannel("127.0.0.1:" + port));
  }

  @SpringBootApplication
  static class Shop {
    final CompletableFuture<Integer> port = new CompletableFuture<>();

    @EventListener
    void started(GrpcServerStartedEvent event) {
      port.complete(event.getPort());
    }

    @Bean
    Greeter greeter() {
      return new Greeter();
    }
  }

  static final class Greeter extends GreeterGrpc.GreeterImplBase {
    @Override
    public void greet(GreetRequest request, StreamObserver<GreetReply> replies) {
      if ("boom".equals(request.getName())) {
        throw new IllegalStateException("no greeting for boom");
      }
      replies.onNext(GreetReply.newBuilder().setMessage("hello " + request.getName()).build());
      replies.onCompleted();
    }
  }
}

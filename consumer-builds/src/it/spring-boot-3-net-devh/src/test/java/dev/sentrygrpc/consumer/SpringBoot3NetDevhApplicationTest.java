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
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import net.devh.boot.grpc.client.inject.GrpcClient;
import net.devh.boot.grpc.server.service.GrpcService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application as a net.devh user writes it: a {@code @GrpcService}, a {@code @GrpcClient}
 * stub, Sentry's DSN and sample rate as properties, net.devh's Netty server on a free port.
 * Nothing of sentry-grpc is named in the code.
 */
@SpringBootTest(
    classes = SpringBoot3NetDevhApplicationTest.Shop.class,
    properties = {
      "grpc.server.address=127.0.0.1",
      "grpc.client.greeter.negotiation-type=PLAINTEXT",
      "sentry.traces-sample-rate=1.0"
    })
class SpringBoot3NetDevhApplicationTest {
  private static final Duration DELIVERY = Duration.ofSeconds(30);
  private static final SentryReceiver receiver = SentryReceiver.start();
  private static final int PORT = freePort();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("sentry.dsn", receiver::dsn);
    registry.add("grpc.server.port", () -> PORT);
    registry.add("grpc.client.greeter.address", () -> "static://127.0.0.1:" + PORT);
  }

  @AfterAll
  static void stopReceiver() {
    receiver.close();
  }

  @GrpcClient("greeter")
  private GreeterGrpc.GreeterBlockingStub greeter;

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
  void aCallOverNettyIsOneTraceFromClientSpanToServerTransaction() {
    ITransaction checkout;
    GreetReply reply;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("consumer").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      checkout = Sentry.startTransaction("checkout", "task", bound);
      reply = greeter.greet(GreetRequest.newBuilder().setName("net.devh").build());
      checkout.finish();
    }

    assertThat(reply.getMessage()).isEqualTo("hello net.devh");
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
  void aServiceExceptionIsOneErrorEvent() {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> greeter.greet(GreetRequest.newBuilder().setName("boom").build()));

    // No @GrpcAdvice in this application: grpc-java's UNKNOWN.
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event =
        receiver.awaitEvent(
            e -> e.getExceptions() != null && !e.getExceptions().isEmpty(), DELIVERY);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("no greeting for boom");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @SpringBootApplication
  static class Shop {
    /** A @GrpcService bean (Boot's test filter keeps classes nested in tests out of scans). */
    @GrpcService
    Greeter greeter() {
      return new Greeter();
    }
  }

  static class Greeter extends GreeterGrpc.GreeterImplBase {
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

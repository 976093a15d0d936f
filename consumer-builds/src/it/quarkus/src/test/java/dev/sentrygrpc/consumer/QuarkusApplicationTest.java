package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.consumer.greeter.GreetReply;
import dev.sentrygrpc.consumer.greeter.GreetRequest;
import dev.sentrygrpc.consumer.greeter.GreeterGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The application as a user writes it: a Mutiny service, a {@code @GrpcClient} stub, Sentry's
 * DSN and sample rate as quarkus-logging-sentry configuration. Nothing of sentry-grpc is named in
 * the code.
 */
@QuarkusTest
class QuarkusApplicationTest {
  private static final Duration DELIVERY = Duration.ofSeconds(30);

  @GrpcClient("greeter")
  GreeterGrpc.GreeterBlockingStub greeter;

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
  void aCallIsOneTraceFromClientSpanToServerTransaction() {
    ITransaction checkout;
    GreetReply reply;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("consumer").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      checkout = Sentry.startTransaction("checkout", "task", bound);
      reply = greeter.greet(GreetRequest.newBuilder().setName("quarkus").build());
      checkout.finish();
    }

    assertThat(reply.getMessage()).isEqualTo("hello quarkus");
    SentryTransaction client =
        LocalSentry.RECEIVER.awaitTransaction(t -> "checkout".equals(t.getTransaction()), DELIVERY);
    SentryTransaction served =
        LocalSentry.RECEIVER.awaitTransaction(
            t -> "consumer.Greeter/Greet".equals(t.getTransaction())
                && checkout
                    .getSpanContext()
                    .getTraceId()
                    .equals(t.getContexts().getTrace().getTraceId()),
            DELIVERY);
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
  }

  @Test
  void aFailedUniIsOneErrorEvent() {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> greeter.greet(GreetRequest.newBuilder().setName("boom").build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event =
        LocalSentry.RECEIVER.awaitEvent(
            e -> e.getExceptions() != null && !e.getExceptions().isEmpty(), DELIVERY);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("no greeting for boom");
  }
}

package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.kotlin.SentryGrpcKotlin;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Kotlin application with a grpc-kotlin coroutine service and a coroutine client over Netty, on
 * the class path its POM resolved: its own grpc-java, Sentry and grpc-kotlin versions run, and a
 * call from a coroutine reaches the local Sentry as one connected trace, with the service's work
 * after a thread switch inside the server's transaction.
 */
class GrpcKotlinApplicationTest {
  private static final String GREET = "consumer.Greeter/Greet";
  private static final Duration DELIVERY = Duration.ofSeconds(30);

  private SentryReceiver receiver;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    receiver = SentryReceiver.start();
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
        });
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Greeter())
            .intercept(SentryGrpcKotlin.serverInterceptor())
            .build()
            .start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
            .usePlaintext()
            .intercept(new SentryClientInterceptor())
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Sentry.close();
    receiver.close();
  }

  @Test
  void theApplicationKeepsItsOwnGrpcJavaSentryAndGrpcKotlinVersions() {
    String grpc = ResolvedClassPath.expected("expected.grpc.version");
    String sentry = ResolvedClassPath.expected("expected.sentry.version");

    assertThat(ResolvedClassPath.grpcJava()).isNotEmpty().containsEntry("grpc-api", grpc);
    assertThat(ResolvedClassPath.grpcJava().values()).as("every grpc-java artifact").containsOnly(grpc);
    assertThat(ResolvedClassPath.sentry())
        .containsEntry("sentry", sentry)
        .containsEntry("sentry-kotlin-extensions", sentry);
    assertThat(ResolvedClassPath.sentry().values()).as("every io.sentry artifact").containsOnly(sentry);
    assertThat(ResolvedClassPath.artifacts("io.grpc"))
        .containsEntry("grpc-kotlin-stub", ResolvedClassPath.expected("expected.grpc-kotlin.version"));
  }

  @Test
  void aCallFromACoroutineIsOneTraceWithTheServicesWorkInside() {
    ITransaction job;
    String reply;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("consumer").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      job = Sentry.startTransaction("greeting job", "task", bound);
      reply = Greetings.greetFromACoroutine(channel, "kotlin");
      job.finish();
    }

    assertThat(reply).isEqualTo("hello kotlin");
    SentryTransaction client =
        receiver.awaitTransaction(t -> "greeting job".equals(t.getTransaction()), DELIVERY);
    SentryTransaction served =
        receiver.awaitTransaction(t -> GREET.equals(t.getTransaction()), DELIVERY);
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    assertThat(served.getContexts().getTrace().getTraceId()).isEqualTo(job.getSpanContext().getTraceId());
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(served.getSpans())
        .as("the coroutine's work, on another thread, is inside the call's transaction")
        .anyMatch(span -> "greet.work".equals(span.getOp()));
  }

  @Test
  void anExceptionFromTheCoroutineIsOneErrorEventAndTheClientSeesUnknown() {
    StatusException failure =
        catchThrowableOfType(
            StatusException.class, () -> Greetings.greetFromACoroutine(channel, "boom"));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event =
        receiver.awaitEvent(e -> e.getExceptions() != null && !e.getExceptions().isEmpty(), DELIVERY);
    assertThat(event.getExceptions().get(event.getExceptions().size() - 1).getMechanism().getType())
        .isEqualTo("grpc");
    Sentry.flush(DELIVERY.toMillis());
    assertThat(receiver.events()).hasSize(1);
  }
}

package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.armeria.ArmeriaGrpcExceptionStatus;
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
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An Armeria application on the class path its POM resolved: Armeria's grpc-java and the
 * application's Sentry SDK are the ones that run, and a call through Armeria's server and client
 * with sentry-grpc's interceptors is one trace at a local Sentry; a thrown status keeps its code.
 */
class ArmeriaApplicationTest {
  private static final String GREET = "consumer.Greeter/Greet";
  private static final Duration DELIVERY = Duration.ofSeconds(30);

  private SentryReceiver receiver;
  private Server server;
  private GreeterGrpc.GreeterBlockingStub greeter;

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
        });
    SentryGrpcOptions sentry =
        SentryGrpcOptions.builder().exceptionStatus(ArmeriaGrpcExceptionStatus.of()).build();
    server =
        Server.builder()
            .http(0)
            .service(
                GrpcService.builder()
                    .addService(new Greeter())
                    .intercept(new SentryServerInterceptor(sentry))
                    .build())
            .build();
    server.start().join();
    greeter =
        GrpcClients.builder("http://127.0.0.1:" + server.activeLocalPort())
            .intercept(new SentryClientInterceptor())
            .build(GreeterGrpc.GreeterBlockingStub.class);
  }

  @AfterEach
  void stop() {
    server.stop().join();
    Sentry.close();
    receiver.close();
  }

  @Test
  void theApplicationKeepsArmeriasGrpcJavaAndItsOwnSentry() {
    String grpc = ResolvedClassPath.expected("expected.grpc.version");
    String sentry = ResolvedClassPath.expected("expected.sentry.version");

    assertThat(ResolvedClassPath.grpcJava()).isNotEmpty().containsEntry("grpc-api", grpc);
    assertThat(ResolvedClassPath.grpcJava().values()).as("every grpc-java artifact").containsOnly(grpc);
    assertThat(ResolvedClassPath.sentry()).containsEntry("sentry", sentry);
    assertThat(ResolvedClassPath.sentry().values()).as("every io.sentry artifact").containsOnly(sentry);
  }

  @Test
  void aCallIsOneTraceFromClientSpanToServerTransaction() {
    ITransaction checkout;
    GreetReply reply;
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("consumer").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      checkout = Sentry.startTransaction("checkout", "task", bound);
      reply = greeter.greet(greet("armeria"));
      checkout.finish();
    }

    assertThat(reply.getMessage()).isEqualTo("hello armeria");
    SentryTransaction client =
        receiver.awaitTransaction(t -> "checkout".equals(t.getTransaction()), DELIVERY);
    SentryTransaction served =
        receiver.awaitTransaction(t -> GREET.equals(t.getTransaction()), DELIVERY);
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    assertThat(served.getContexts().getTrace().getTraceId())
        .isEqualTo(checkout.getSpanContext().getTraceId());
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
  }

  @Test
  void aThrownStatusIsWhatTheClientAndTheTransactionSeeAndNoEvent() {
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, () -> greeter.greet(greet("nobody")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    SentryTransaction served =
        receiver.awaitTransaction(t -> GREET.equals(t.getTransaction()), DELIVERY);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
    Sentry.flush(DELIVERY.toMillis());
    assertThat(receiver.events()).isEmpty();
  }

  private static GreetRequest greet(String name) {
    return GreetRequest.newBuilder().setName(name).build();
  }

  private static final class Greeter extends GreeterGrpc.GreeterImplBase {
    @Override
    public void greet(GreetRequest request, StreamObserver<GreetReply> replies) {
      if ("nobody".equals(request.getName())) {
        throw Status.NOT_FOUND.withDescription("no one to greet").asRuntimeException();
      }
      replies.onNext(GreetReply.newBuilder().setMessage("hello " + request.getName()).build());
      replies.onCompleted();
    }
  }
}

package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.consumer.greeter.GreetReply;
import dev.sentrygrpc.consumer.greeter.GreetRequest;
import dev.sentrygrpc.consumer.greeter.GreeterGrpc;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
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
 * What every plain grpc-java consumer build checks, on the class path its POM resolved: its own
 * grpc-java and Sentry versions are the ones that run, and a real client and server over Netty,
 * both with sentry-grpc's interceptors, deliver a connected trace and an error event to a local
 * Sentry through the SDK's HTTP transport.
 *
 * <p>Each build's test extends this with nothing added; its POM is what differs.
 */
public abstract class PlainGrpcConsumerChecks {
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
            .intercept(new SentryServerInterceptor())
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
  void theApplicationKeepsItsOwnGrpcJavaAndSentryVersions() {
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
      reply = GreeterGrpc.newBlockingStub(channel).greet(greet("consumer"));
      checkout.finish();
    }

    assertThat(reply.getMessage()).isEqualTo("hello consumer");
    SentryTransaction client =
        receiver.awaitTransaction(t -> "checkout".equals(t.getTransaction()), DELIVERY);
    SentryTransaction served =
        receiver.awaitTransaction(t -> GREET.equals(t.getTransaction()), DELIVERY);
    SentrySpan clientSpan =
        client.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + client.getSpans()));
    assertThat(served.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    assertThat(served.getContexts().getTrace().getTraceId())
        .isEqualTo(checkout.getSpanContext().getTraceId());
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
  }

  @Test
  void aServiceExceptionIsOneErrorEventAndTheClientSeesUnknown() {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> GreeterGrpc.newBlockingStub(channel).greet(greet("boom")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event =
        receiver.awaitEvent(e -> e.getExceptions() != null && !e.getExceptions().isEmpty(), DELIVERY);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("no greeting for boom");
  }

  private static GreetRequest greet(String name) {
    return GreetRequest.newBuilder().setName(name).build();
  }

  private static final class Greeter extends GreeterGrpc.GreeterImplBase {
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

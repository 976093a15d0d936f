package dev.sentrygrpc.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.conformance.OrdersService;
import dev.sentrygrpc.quarkus.deployment.threads.Done;
import dev.sentrygrpc.quarkus.deployment.threads.Job;
import dev.sentrygrpc.quarkus.deployment.threads.MutinyLaterGrpc;
import dev.sentrygrpc.quarkus.deployment.threads.ThreadsGrpc;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.QuarkusUnitTest;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

/**
 * A Quarkus application as a user writes it: quarkus-grpc services (the kit's, a grpc-java one
 * with a {@code @Blocking} method, a Mutiny one), {@code @GrpcClient} channels and stubs, its own
 * exception mapping, and Sentry set up by quarkus-logging-sentry; sentry-grpc is only a
 * dependency. The kit's cases, then what is particular to Quarkus: where it runs service code.
 * Each server mode runs all of it ({@link SeparateServerTest}, {@link VertxServerTest}).
 */
abstract class QuarkusApplicationTest extends FrameworkConformanceTest {
  static final String ON_EVENT_LOOP = "quarkustest.Threads/OnEventLoop";
  static final String ON_WORKER = "quarkustest.Threads/OnWorker";
  static final String REPLY_LATER = "quarkustest.Later/Reply";

  @GrpcClient("self")
  Channel self;

  @GrpcClient("self")
  ThreadsGrpc.ThreadsBlockingStub threads;

  @GrpcClient("self")
  MutinyLaterGrpc.MutinyLaterStub later;

  @Inject SentryGrpcOptions options;

  /**
   * The application in one of Quarkus's server modes, on a free port chosen here: a channel
   * created before the server listens (the one Storefront gets at start-up) takes its port from
   * the configuration, not from the server, so a random port ({@code 0}) would not do.
   */
  static QuarkusUnitTest application(Class<?> test, boolean separateServer) {
    String port = String.valueOf(freePort());
    QuarkusUnitTest application =
        separateServer
            ? new QuarkusUnitTest()
                .overrideConfigKey("quarkus.grpc.server.use-separate-server", "true")
                .overrideConfigKey("quarkus.grpc.server.test-port", port)
                .overrideConfigKey("quarkus.http.test-port", "0")
            : new QuarkusUnitTest()
                .overrideConfigKey("quarkus.grpc.server.use-separate-server", "false")
                .overrideConfigKey("quarkus.http.test-port", port)
                // What a channel created before the server is up falls back to.
                .overrideConfigKey("quarkus.grpc.server.test-port", port);
    return application
        .withApplicationRoot(
            jar ->
                jar.addClasses(
                        test,
                        QuarkusApplicationTest.class,
                        LocalSentry.class,
                        Work.class,
                        QuarkusOrders.class,
                        QuarkusStorefront.class,
                        ThreadsService.class,
                        LaterService.class,
                        InvalidOrderMapping.class,
                        GatewayTraces.class)
                    // The generated stubs of threads.proto.
                    .addPackage(Job.class.getPackage())
                    .addAsServiceProvider(ConfigSource.class, LocalSentry.class))
        // Sentry, set up the quarkus-logging-sentry way (the DSN comes from LocalSentry).
        .overrideConfigKey("quarkus.log.sentry.enabled", "true")
        .overrideConfigKey("quarkus.log.sentry.traces-sample-rate", "1.0")
        .overrideConfigKey("quarkus.log.sentry.in-app-packages", "dev.sentrygrpc")
        // The kit's services are plain grpc-java classes in a jar without an index.
        .overrideConfigKey("quarkus.index-dependency.kit.group-id", "dev.sentrygrpc")
        .overrideConfigKey("quarkus.index-dependency.kit.artifact-id", "sentry-grpc-framework-tests")
        .overrideConfigKey("quarkus.grpc.clients.self.host", "localhost")
        .overrideConfigKey("quarkus.grpc.clients.orders.host", "localhost");
  }

  @Override
  protected SentryReceiver receiver() {
    return LocalSentry.RECEIVER;
  }

  @Override
  protected Channel channel() {
    return self;
  }

  @Override
  protected Channel healthChannel() {
    return self;
  }

  /** The {@code server.address} the server mode gives the transaction, or null for none. */
  abstract String serverAddress();

  @Test
  void withoutConfigurationTheOptionsAreTheLibrarysDefaults() {
    assertThat(options.toString()).isEqualTo(SentryGrpcOptions.defaults().toString());
  }

  @Test
  void aCustomizerDecidesWhichIncomingTracesAreContinued() {
    String tag = newTag();
    Metadata fromGateway = new Metadata();
    fromGateway.put(GatewayTraces.FROM_GATEWAY, "edge-1");
    Traced<Done> call =
        traced(
            tag,
            () ->
                threads
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(fromGateway))
                    .onEventLoop(job(tag, "")));

    SentryTransaction served = awaitTransaction(ON_EVENT_LOOP, tag);
    assertThat(served.getContexts().getTrace().getTraceId())
        .isNotEqualTo(call.transaction.getSpanContext().getTraceId());
    assertThat(served.getContexts().getTrace().getParentSpanId()).isNull();
  }

  @Test
  void anEventLoopServiceRunsInItsCallsScopes() {
    String tag = newTag();
    Traced<Done> call = traced(tag, () -> threads.onEventLoop(job(tag, "")));

    assertThat(call.reply.getThread()).contains("eventloop");
    assertServedInItsOwnScopes(call, ON_EVENT_LOOP, tag);
  }

  @Test
  void aBlockingServiceRunsOnAWorkerInItsCallsScopes() {
    String tag = newTag();
    Traced<Done> call = traced(tag, () -> threads.onWorker(job(tag, "")));

    assertThat(call.reply.getThread()).startsWith("executor-thread");
    assertServedInItsOwnScopes(call, ON_WORKER, tag);
  }

  @Test
  void concurrentBlockingCallsKeepTheirOwnScopes() throws Exception {
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tags.add(newTag());
    }
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Done>> replies = new ArrayList<>();
      for (String tag : tags) {
        replies.add(callers.submit(() -> threads.onWorker(job(tag, ""))));
      }
      for (Future<Done> reply : replies) {
        reply.get(30, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }

    for (String tag : tags) {
      SentryTransaction served = awaitTransaction(ON_WORKER, tag);
      assertThat(served.getBreadcrumbs())
          .extracting(b -> b.getMessage())
          .filteredOn(message -> message != null && message.startsWith("working on "))
          .containsExactly("working on " + tag);
      assertThat(served.getSpans()).extracting(SentrySpan::getDescription).containsExactly(tag);
    }
  }

  @Test
  void aBlockingServiceThatThrowsIsOneEventWithItsCallsScopes() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> threads.onWorker(job(tag, "fail")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event = receiver().awaitEvent(tagged(tag), DELIVERY);
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("job failed: " + tag);
    assertThat(event.getExceptions().get(0).getMechanism().getType()).isEqualTo("grpc");
    assertThat(event.getBreadcrumbs()).extracting(b -> b.getMessage()).contains("working on " + tag);
    SentryTransaction served = awaitTransaction(ON_WORKER, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.UNKNOWN);
    assertThat(event.getContexts().getTrace().getTraceId())
        .isEqualTo(served.getContexts().getTrace().getTraceId());
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).hasSize(1);
  }

  @Test
  void aMutinyReplyFromAnotherThreadFinishesItsTransactionOnce() {
    String tag = newTag();
    Traced<Done> call =
        traced(tag, () -> later.reply(job(tag, "")).await().atMost(DELIVERY));

    assertThat(call.reply.getThread()).isEqualTo(LaterService.THREAD);
    SentryTransaction served = assertServedInItsOwnScopes(call, REPLY_LATER, tag);
    assertThat(served.getContexts().getTrace().getData()).containsEntry("grpc.messages.sent", 1);
    settle();
    assertThat(transactions(REPLY_LATER, tag)).hasSize(1);
  }

  @Test
  void aMutinyFailureFromAnotherThreadIsOneEventFromTheClose() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> later.reply(job(tag, "fail")).await().atMost(DELIVERY));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    SentryEvent event = receiver().awaitEvent(tagged(tag), DELIVERY);
    assertThat(event.getExceptions().get(0).getValue()).isEqualTo("later failed: " + tag);
    assertThat(event.getExceptions().get(0).getMechanism().isHandled()).isFalse();
    SentryTransaction served = awaitTransaction(REPLY_LATER, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.UNKNOWN);
    assertThat(event.getContexts().getTrace().getTraceId())
        .isEqualTo(served.getContexts().getTrace().getTraceId());
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).hasSize(1);
    assertThat(transactions(REPLY_LATER, tag)).hasSize(1);
  }

  @Test
  void theApplicationsExceptionMappingGivesTheStatusAndNoEvent() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> orders().place(order(tag, "invalid")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getStatus())
        .isEqualTo(SpanStatus.INVALID_ARGUMENT);
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).isEmpty();
  }

  // ---- helpers ----

  /**
   * The served call's transaction: the service's tag, breadcrumb and span on it (its scopes were
   * current where the service ran), and a child of the caller's client span.
   */
  private SentryTransaction assertServedInItsOwnScopes(Traced<?> call, String method, String tag) {
    SentryTransaction served = awaitTransaction(method, tag);
    SentryTransaction caller =
        receiver().awaitTransaction(t -> ("caller " + tag).equals(t.getTransaction()), DELIVERY);
    SentrySpan clientSpan =
        caller.getSpans().stream()
            .filter(span -> "grpc.client".equals(span.getOp()) && method.equals(span.getDescription()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no grpc.client span in " + caller.getSpans()));
    assertThat(served.getContexts().getTrace().getTraceId())
        .isEqualTo(call.transaction.getSpanContext().getTraceId());
    assertThat(served.getContexts().getTrace().getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(served.getContexts().getTrace().getData().get("server.address"))
        .as("the call's authority: the Vert.x server gives none")
        .isEqualTo(serverAddress());
    assertThat(served.getTags()).containsEntry(OrdersService.TAG, tag);
    assertThat(served.getBreadcrumbs())
        .extracting(b -> b.getMessage())
        .contains("working on " + tag);
    assertThat(served.getSpans())
        .as("the service's own span is a child of the call's transaction")
        .anySatisfy(
            span -> {
              assertThat(span.getOp()).isEqualTo(Work.OPERATION);
              assertThat(span.getParentSpanId())
                  .isEqualTo(served.getContexts().getTrace().getSpanId());
            });
    return served;
  }

  /** Makes the call inside a transaction of the caller's ({@code caller <tag>}). */
  private static <T> Traced<T> traced(String tag, Supplier<T> call) {
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("caller").makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      ITransaction transaction = Sentry.startTransaction("caller " + tag, "test", bound);
      T reply = call.get();
      transaction.finish();
      return new Traced<>(transaction, reply);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Job job(String tag, String outcome) {
    return Job.newBuilder().setTag(tag).setOutcome(outcome).build();
  }

  private static final class Traced<T> {
    final ITransaction transaction;
    final T reply;

    Traced(ITransaction transaction, T reply) {
      this.transaction = transaction;
      this.reply = reply;
    }
  }

}

package dev.sentrygrpc.interop;

import static dev.sentrygrpc.interop.JavaPeer.JAVA_ENVIRONMENT;
import static dev.sentrygrpc.interop.JavaPeer.JAVA_RELEASE;
import static dev.sentrygrpc.interop.JavaPeer.NODE_ENVIRONMENT;
import static dev.sentrygrpc.interop.JavaPeer.NODE_RELEASE;
import static dev.sentrygrpc.interop.JavaPeer.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.testing.ReceivedEnvelope;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testing.SentryReceiverExtension;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import io.sentry.TracesSamplingDecision;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Java client with {@link SentryClientInterceptor} calls a Node.js server ({@code
 * node/server.js}) instrumented by the manual interceptor Node.js services use ({@code
 * node/grpc-sentry.js}). What each SDK sent to the one receiver must form one trace.
 */
class JavaClientToNodeServerTest {
  private static final Duration NODE_START = Duration.ofSeconds(30);
  private static final Duration NODE_STOP = Duration.ofSeconds(20);
  private static final Duration ARRIVAL = Duration.ofSeconds(30);
  private static final String NODE_FAILURE = "node handler failed on purpose";

  @RegisterExtension static final SentryReceiverExtension sentry = new SentryReceiverExtension();

  @RegisterExtension final NodePeers node = new NodePeers(() -> sentry.receiver().toString());

  private NodeProcess nodeServer;
  private ManagedChannel channel;

  @BeforeAll
  static void initJavaSentry() {
    JavaPeer.initSentry(sentry.receiver());
  }

  @AfterAll
  static void closeJavaSentry() {
    Sentry.close();
  }

  @BeforeEach
  void skipWithoutNode() {
    node.runtime();
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "Node traceLifecycle={0}")
  @ValueSource(strings = {"stream", "static"})
  void nodeServerTransactionsContinueTheJavaClientsTrace(String traceLifecycle) {
    SentryReceiver receiver = sentry.receiver();
    // Node samples nothing by itself: whatever it sends, it sends because the Java caller sampled.
    EchoServiceGrpc.EchoServiceBlockingStub stub = startNodeServer(traceLifecycle, "0");

    ITransaction transaction = Sentry.startTransaction("java-client", "interop.client", bound());
    ISentryLifecycleToken current = transaction.makeCurrent();
    try {
      assertThat(stub.unary(request("from-java", 0)).getMessage()).isEqualTo("node:from-java");
      List<EchoReply> replies = new ArrayList<>();
      stub.serverStream(request("from-java", 3)).forEachRemaining(replies::add);
      assertThat(replies).hasSize(3);
      assertThatThrownBy(() -> stub.unary(request("fail", 0)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
    } finally {
      current.close();
      transaction.finish();
    }
    String traceId = transaction.getSpanContext().getTraceId().toString();
    stopNodeServer();
    Sentry.flush(5000);

    // What the Java SDK sent: the caller's transaction with one grpc.client span per call.
    SentryTransaction java =
        receiver.awaitTransaction(t -> t.getEventId().equals(transaction.getEventId()), ARRIVAL);
    SentrySpan unaryOk = clientSpan(java, "Unary", SpanStatus.OK);
    SentrySpan stream = clientSpan(java, "ServerStream", SpanStatus.OK);
    SentrySpan unaryFailed = clientSpan(java, "Unary", SpanStatus.INTERNAL_ERROR);
    Map<String, String> javaDsc = JavaPeer.asBaggage(JavaPeer.envelopeTraceOf(receiver, java));
    assertThat(javaDsc)
        .containsEntry("trace_id", traceId)
        .containsEntry("environment", JAVA_ENVIRONMENT)
        .containsEntry("release", JAVA_RELEASE)
        .containsEntry("transaction", "java-client")
        .containsEntry("sampled", "true")
        .containsEntry("public_key", receiver.publicKey())
        .containsKey("sample_rand");

    // What the Node SDK sent: one grpc.server transaction (or segment span) per call, each a child
    // of the Java client span of its call, carrying the Java side's dynamic sampling context.
    List<NodeSpan> nodeSpans = NodeSpan.of(receiver, traceId);
    List<NodeSpan> servers = new ArrayList<>();
    for (NodeSpan span : nodeSpans) {
      if (span.segment && "grpc.server".equals(span.op)) {
        servers.add(span);
      }
    }
    assertThat(servers).as("Node grpc.server spans in %s", nodeSpans).hasSize(3);
    NodeSpan nodeUnaryOk = childOf(servers, unaryOk);
    NodeSpan nodeStream = childOf(servers, stream);
    NodeSpan nodeUnaryFailed = childOf(servers, unaryFailed);

    assertNodeServerSpan(nodeUnaryOk, "Unary", 0, traceLifecycle);
    assertNodeServerSpan(nodeStream, "ServerStream", 0, traceLifecycle);
    assertNodeServerSpan(nodeUnaryFailed, "Unary", 13, traceLifecycle);
    assertThat(nodeUnaryOk.ok()).isTrue();
    assertThat(nodeStream.ok()).isTrue();
    assertThat(nodeUnaryFailed.ok()).isFalse();
    assertThat(nodeUnaryFailed.attributes).containsEntry("grpc.status_description", NODE_FAILURE);
    assertThat(nodeUnaryOk.attributes).doesNotContainKey("grpc.status_description");
    for (NodeSpan server : servers) {
      assertThat(server.envelopeTrace).as("the Node envelope's trace header").isNotNull();
      JavaPeer.assertSameContext(
          JavaPeer.asBaggage(server.envelopeTrace),
          javaDsc,
          "the Node envelope's trace header vs the Java transaction's");
    }
    // The handler's own child span joined the call's span.
    assertThat(nodeSpans)
        .anySatisfy(
            span -> {
              assertThat(span.name).isEqualTo("echo");
              assertThat(span.parentSpanId).isEqualTo(nodeUnaryOk.spanId);
            });

    // The Node handler's error joins the Java trace, under the failed call's span.
    SentryEvent error = awaitNodeError(receiver);
    assertThat(error.getContexts().getTrace().getTraceId()).hasToString(traceId);
    assertThat(error.getContexts().getTrace().getSpanId()).hasToString(nodeUnaryFailed.spanId);
    assertThat(error.getEnvironment()).isEqualTo(NODE_ENVIRONMENT);
  }

  @Test
  void nodeServerHonoursTheJavaClientsDecisionNotToSample() {
    SentryReceiver receiver = sentry.receiver();
    // Node would sample everything by itself: it must follow the Java caller's "no".
    EchoServiceGrpc.EchoServiceBlockingStub stub = startNodeServer("stream", "1.0");

    ITransaction transaction =
        Sentry.startTransaction(
            new TransactionContext(
                "java-unsampled", "interop.client", new TracesSamplingDecision(false)),
            bound());
    ISentryLifecycleToken current = transaction.makeCurrent();
    try {
      assertThat(stub.unary(request("from-java", 0)).getMessage()).isEqualTo("node:from-java");
      assertThatThrownBy(() -> stub.unary(request("fail", 0)))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      current.close();
      transaction.finish();
    }
    String traceId = transaction.getSpanContext().getTraceId().toString();
    stopNodeServer();
    Sentry.flush(5000);

    // Errors still join the trace (tracing without performance), but Node sent no span of it.
    SentryEvent error = awaitNodeError(receiver);
    assertThat(error.getContexts().getTrace().getTraceId()).hasToString(traceId);
    assertThat(NodeSpan.of(receiver, traceId)).isEmpty();
    assertThat(receiver.items("span")).as("span items of any trace").isEmpty();
    assertThat(receiver.transactions()).as("transactions of any trace").isEmpty();
  }

  /** Starts node/server.js; returns a stub of it with the Sentry client interceptor. */
  private EchoServiceGrpc.EchoServiceBlockingStub startNodeServer(
      String traceLifecycle, String sampleRate) {
    Map<String, String> env = new HashMap<>();
    env.put("SENTRY_DSN", sentry.receiver().dsn());
    env.put("SENTRY_ENVIRONMENT", NODE_ENVIRONMENT);
    env.put("SENTRY_RELEASE", NODE_RELEASE);
    env.put("SENTRY_TRACE_LIFECYCLE", traceLifecycle);
    env.put("SENTRY_TRACES_SAMPLE_RATE", sampleRate);
    env.put("PORT", "0");
    nodeServer = node.start("server.js", env);
    int port = Integer.parseInt(nodeServer.awaitLine("LISTENING ", NODE_START).trim());
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .intercept(new SentryClientInterceptor())
            .build();
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** The server flushes Sentry and exits when its stdin closes: all it sent is then received. */
  private void stopNodeServer() {
    nodeServer.closeStdin();
    assertThat(nodeServer.awaitExit(NODE_STOP))
        .as("node server.js exit code (0: Sentry.flush succeeded)\n%s", nodeServer.output())
        .isZero();
  }

  private static TransactionOptions bound() {
    TransactionOptions options = new TransactionOptions();
    options.setBindToScope(true);
    return options;
  }

  private static EchoRequest request(String message, int count) {
    return EchoRequest.newBuilder().setMessage(message).setCount(count).build();
  }

  private static SentrySpan clientSpan(SentryTransaction java, String method, SpanStatus status) {
    List<SentrySpan> matching = new ArrayList<>();
    for (SentrySpan span : java.getSpans()) {
      if ("grpc.client".equals(span.getOp())
          && (SERVICE + "/" + method).equals(span.getDescription())
          && span.getStatus() == status) {
        matching.add(span);
      }
    }
    assertThat(matching)
        .as("Java grpc.client spans of %s with status %s in %s", method, status, describe(java))
        .hasSize(1);
    SentrySpan span = matching.get(0);
    assertThat(span.getParentSpanId()).isEqualTo(java.getContexts().getTrace().getSpanId());
    return span;
  }

  private static List<String> describe(SentryTransaction java) {
    List<String> spans = new ArrayList<>();
    for (SentrySpan span : java.getSpans()) {
      spans.add(
          span.getOp() + " '" + span.getDescription() + "' status=" + span.getStatus() + " data="
              + span.getData());
    }
    return spans;
  }

  private static NodeSpan childOf(List<NodeSpan> servers, SentrySpan javaSpan) {
    String parent = javaSpan.getSpanId().toString();
    List<NodeSpan> children = new ArrayList<>();
    for (NodeSpan span : servers) {
      if (parent.equals(span.parentSpanId)) {
        children.add(span);
      }
    }
    assertThat(children)
        .as("Node grpc.server spans whose parent is the Java span %s (%s)", parent, javaSpan.getDescription())
        .hasSize(1);
    return children.get(0);
  }

  private static void assertNodeServerSpan(
      NodeSpan span, String method, int statusCode, String traceLifecycle) {
    assertThat(span.name).isEqualTo(SERVICE + "/" + method);
    assertThat(span.itemType).isEqualTo("stream".equals(traceLifecycle) ? "span" : "transaction");
    assertThat(span.attributes)
        .containsEntry("grpc.method", "/" + SERVICE + "/" + method)
        .containsEntry("grpc.service", SERVICE);
    Object code = span.attributes.get("grpc.statuscode");
    assertThat(code).isInstanceOf(Number.class);
    assertThat(((Number) code).doubleValue()).isEqualTo(statusCode);
  }

  private static SentryEvent awaitNodeError(SentryReceiver receiver) {
    receiver.awaitEvent(JavaClientToNodeServerTest::isNodeFailure, ARRIVAL);
    List<SentryEvent> errors = new ArrayList<>();
    for (ReceivedEnvelope envelope : receiver.envelopes()) {
      if (NodeSpan.isNode(envelope)) {
        for (SentryEvent event : envelope.events()) {
          if (isNodeFailure(event)) {
            errors.add(event);
          }
        }
      }
    }
    assertThat(errors).as("Node error events").hasSize(1);
    return errors.get(0);
  }

  private static boolean isNodeFailure(SentryEvent event) {
    return event.getExceptions() != null
        && event.getExceptions().stream().anyMatch(e -> NODE_FAILURE.equals(e.getValue()));
  }
}

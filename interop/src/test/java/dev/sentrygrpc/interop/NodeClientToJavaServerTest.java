package dev.sentrygrpc.interop;

import static dev.sentrygrpc.interop.JavaPeer.JAVA_ENVIRONMENT;
import static dev.sentrygrpc.interop.JavaPeer.JAVA_RELEASE;
import static dev.sentrygrpc.interop.JavaPeer.NODE_ENVIRONMENT;
import static dev.sentrygrpc.interop.JavaPeer.NODE_RELEASE;
import static dev.sentrygrpc.interop.JavaPeer.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testing.SentryReceiverExtension;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sentry.Sentry;
import io.sentry.SpanContext;
import io.sentry.TraceContext;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentryTransaction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
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
 * A Node.js client ({@code node/client.js}: @sentry/node, @grpc/grpc-js, trace data put into the
 * metadata by hand) calls a Java server with {@link SentryServerInterceptor}. What each SDK sent
 * to the one receiver must form one trace.
 */
class NodeClientToJavaServerTest {
  private static final Duration NODE_RUN = Duration.ofSeconds(60);
  private static final Duration ARRIVAL = Duration.ofSeconds(30);

  @RegisterExtension static final SentryReceiverExtension sentry = new SentryReceiverExtension();

  @RegisterExtension final NodePeers node = new NodePeers(() -> sentry.receiver().toString());

  private Server server;

  @BeforeAll
  static void initJavaSentry() {
    JavaPeer.initSentry(sentry.receiver());
  }

  @AfterAll
  static void closeJavaSentry() {
    Sentry.close();
  }

  @BeforeEach
  void startJavaServer() throws IOException {
    node.runtime(); // skips the test here when Node.js is missing
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(new JavaPeer.EchoService())
            .intercept(new SentryServerInterceptor())
            .build()
            .start();
  }

  @AfterEach
  void stopJavaServer() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "Node traceLifecycle={0}")
  @ValueSource(strings = {"stream", "static"})
  void javaServerTransactionsContinueTheNodeClientsTrace(String traceLifecycle) {
    SentryReceiver receiver = sentry.receiver();
    Map<String, Object> result = runNodeClient(traceLifecycle, null);
    String traceId = (String) result.get("traceId");

    receiver.awaitTrace(
        new SentryId(traceId),
        trace -> trace.transactions().stream().filter(JavaPeer::sentByJava).count() >= 2,
        ARRIVAL);
    List<SentryTransaction> java = JavaPeer.javaTransactions(receiver, traceId);
    assertThat(java).hasSize(2);
    List<NodeSpan> nodeSpans = NodeSpan.of(receiver, traceId);

    for (String method : List.of("Unary", "ServerStream")) {
      Map<String, Object> call = JavaPeer.object(result, "calls", method);
      String nodeSpanId = (String) call.get("spanId");
      assertThat(call.get("error")).as("Node's %s call failed", method).isNull();
      assertThat((String) call.get("sentryTrace")).isEqualTo(traceId + "-" + nodeSpanId + "-1");

      // What the Node SDK sent: its grpc.client span, in the trace, under its root span.
      assertThat(nodeSpans)
          .as("the Node SDK sent its grpc.client span of %s (as %s items)", method, traceLifecycle)
          .anySatisfy(
              span -> {
                assertThat(span.spanId).isEqualTo(nodeSpanId);
                assertThat(span.op).isEqualTo("grpc.client");
                assertThat(span.name).isEqualTo(SERVICE + "/" + method);
                assertThat(span.parentSpanId).isEqualTo(result.get("rootSpanId"));
                assertThat(span.itemType)
                    .isEqualTo("stream".equals(traceLifecycle) ? "span" : "transaction");
              });

      // What the Java SDK sent: a server transaction that continues it.
      SentryTransaction transaction =
          java.stream()
              .filter(t -> (SERVICE + "/" + method).equals(t.getTransaction()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no Java transaction for " + method));
      SpanContext context = transaction.getContexts().getTrace();
      assertThat(context.getOperation()).isEqualTo("grpc.server");
      assertThat(context.getTraceId().toString()).isEqualTo(traceId);
      assertThat(context.getParentSpanId()).hasToString(nodeSpanId);
      assertThat(context.getData())
          .containsEntry("grpc.method", "/" + SERVICE + "/" + method)
          .containsEntry("grpc.service", SERVICE)
          .containsEntry("rpc.method", SERVICE + "/" + method);
      assertThat(((Number) context.getData().get("grpc.statuscode")).intValue()).isZero();
      assertThat(transaction.getEnvironment()).isEqualTo(JAVA_ENVIRONMENT);
      assertThat(transaction.getRelease()).isEqualTo(JAVA_RELEASE);

      // The baggage went through: the Java envelope's dynamic sampling context is Node's.
      Map<String, String> nodeBaggage = JavaPeer.sentryBaggage((String) call.get("baggage"));
      assertThat(nodeBaggage)
          .containsEntry("trace_id", traceId)
          .containsEntry("environment", NODE_ENVIRONMENT)
          .containsEntry("release", NODE_RELEASE)
          .containsEntry("public_key", receiver.publicKey())
          .containsEntry("sampled", "true")
          .containsEntry("sample_rate", "1")
          .containsEntry("transaction", "node-client")
          .containsKey("sample_rand");
      TraceContext dsc = JavaPeer.envelopeTraceOf(receiver, transaction);
      assertThat(dsc).as("the Java transaction envelope's trace header").isNotNull();
      JavaPeer.assertSameContext(
          JavaPeer.asBaggage(dsc), nodeBaggage, "the Java envelope's trace header vs Node's baggage");
    }
  }

  @Test
  void javaServerHonoursTheNodeClientsDecisionNotToSample() throws InterruptedException {
    SentryReceiver receiver = sentry.receiver();
    Map<String, Object> result = runNodeClient("stream", "0");
    String traceId = (String) result.get("traceId");

    for (String method : List.of("Unary", "ServerStream")) {
      Map<String, Object> call = JavaPeer.object(result, "calls", method);
      assertThat(call.get("error")).as("Node's %s call failed", method).isNull();
      assertThat((String) call.get("sentryTrace")).startsWith(traceId + "-").endsWith("-0");
      assertThat(JavaPeer.sentryBaggage((String) call.get("baggage")))
          .containsEntry("trace_id", traceId)
          .containsEntry("sampled", "false");
    }
    // Every call is over once the server has terminated; then whatever Java sent is flushed.
    server.shutdown();
    assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    Sentry.flush(5000);
    assertThat(JavaPeer.javaTransactions(receiver, traceId))
        .as("Java transactions of a trace the Node client did not sample")
        .isEmpty();
    assertThat(NodeSpan.of(receiver, traceId)).isEmpty();
  }

  /** Runs node/client.js against the Java server; returns what it printed after "RESULT ". */
  private Map<String, Object> runNodeClient(String traceLifecycle, String sampleRate) {
    Map<String, String> env = new HashMap<>();
    env.put("SENTRY_DSN", sentry.receiver().dsn());
    env.put("SENTRY_ENVIRONMENT", NODE_ENVIRONMENT);
    env.put("SENTRY_RELEASE", NODE_RELEASE);
    env.put("SENTRY_TRACE_LIFECYCLE", traceLifecycle);
    env.put("TARGET", "127.0.0.1:" + server.getPort());
    if (sampleRate != null) {
      env.put("SENTRY_TRACES_SAMPLE_RATE", sampleRate);
    }
    NodeProcess client = node.start("client.js", env);
    int exitCode = client.awaitExit(NODE_RUN);
    assertThat(exitCode).as("node client.js exit code\n%s", client.output()).isZero();
    Map<String, Object> result = JavaPeer.json(client.awaitLine("RESULT ", Duration.ofSeconds(1)));
    assertThat(result.get("flushed")).as("Sentry.flush in Node").isEqualTo(Boolean.TRUE);
    return result;
  }
}

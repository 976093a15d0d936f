package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sentry.Sentry;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks that each mode does what it says, before anyone believes its numbers: runs {@value
 * #CALLS} in-process unary calls, {@value #STREAMS} 1,000-message streams and one bidi stream of
 * {@value #PINGS} ping-pongs the way the benchmarks do, then looks at what the mode's backend got.
 *
 * <p>{@code java -cp benchmarks.jar dev.sentrygrpc.benchmarks.Sanity} runs every mode, each in a
 * JVM of its own (like JMH's forks); {@code ... Sanity <mode>} runs one. Exit code 0 when all pass.
 */
public final class Sanity {
  static final int CALLS = 1200;
  static final int STREAMS = 3;
  static final int PINGS = 10;

  private Sanity() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      int failures = 0;
      List<String> modes = new ArrayList<>(Modes.ALL);
      modes.add("sentry-floor");
      for (String mode : modes) {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process =
            new ProcessBuilder(
                    java, "-cp", System.getProperty("java.class.path"), Sanity.class.getName(), mode)
                .inheritIO()
                .start();
        if (process.waitFor() != 0) {
          failures++;
        }
      }
      System.out.println(failures == 0 ? "SANITY: all modes OK" : "SANITY: " + failures + " mode(s) FAILED");
      System.exit(failures == 0 ? 0 : 1);
    }
    String mode = args[0];
    List<String> problems = "sentry-floor".equals(mode) ? floor() : rpcs(mode);
    if (problems.isEmpty()) {
      System.out.println("  OK " + mode);
      System.exit(0);
    }
    for (String problem : problems) {
      System.out.println("  FAIL " + mode + ": " + problem);
    }
    System.exit(1);
  }

  private static List<String> rpcs(String mode) throws Exception {
    List<SentryTransaction> sent = Collections.synchronizedList(new ArrayList<>());
    Rig.extraOptions =
        options ->
            options.setBeforeSendTransaction(
                (transaction, hint) -> {
                  sent.add(transaction);
                  return transaction;
                });
    List<SpanData> otelSpans = Collections.synchronizedList(new ArrayList<>());
    Rig.otelSpansSeen = otelSpans;
    DiscardingTransport.countItems = true;

    Rig rig = Rig.create(mode);
    String name = "sanity-" + UUID.randomUUID();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(rig.service(new EchoService()))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    rig.enterCallerThread();
    EchoServiceGrpc.EchoServiceBlockingStub stub = EchoServiceGrpc.newBlockingStub(rig.channel(channel));
    List<String> problems = new ArrayList<>();

    long start = System.nanoTime();
    for (int i = 0; i < CALLS; i++) {
      stub.unary(UnaryInProcess.REQUEST);
      rig.afterCall();
    }
    long unaryNanos = System.nanoTime() - start;
    for (int i = 0; i < STREAMS; i++) {
      Iterator<EchoReply> replies = stub.serverStream(ServerStream.REQUEST);
      int n = 0;
      while (replies.hasNext()) {
        replies.next();
        n++;
      }
      if (n != ServerStream.MESSAGES) {
        problems.add("stream gave " + n + " replies");
      }
      rig.afterCall();
    }
    AtomicLong pongs = new AtomicLong();
    Object done = new Object();
    StreamObserver<EchoRequest> pings =
        EchoServiceGrpc.newStub(rig.channel(channel))
            .bidi(
                new StreamObserver<EchoReply>() {
                  @Override
                  public void onNext(EchoReply value) {
                    pongs.incrementAndGet();
                  }

                  @Override
                  public void onError(Throwable t) {
                    synchronized (done) {
                      done.notifyAll();
                    }
                  }

                  @Override
                  public void onCompleted() {}
                });
    for (int i = 0; i < PINGS; i++) {
      long before = pongs.get();
      pings.onNext(BidiPingPong.PING);
      if (pongs.get() != before + 1) {
        problems.add("bidi: the reply did not arrive within onNext");
        break;
      }
    }
    pings.onCompleted();

    String stats = rig.stats();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    boolean sentryWasEnabled = Sentry.isEnabled();
    rig.close();
    System.out.printf(
        "%-16s unary: %.1f us/call (cold, %d calls); %s; transactions to beforeSend=%d%n",
        mode, unaryNanos / 1000.0 / CALLS, CALLS, stats, sent.size());

    int expectedServer = CALLS + STREAMS + 1;
    if (Modes.withMetrics(mode)) {
      // rig.close() closed the SDK, which sends the interval's metrics: calls, durations, messages.
      expect(
          problems,
          DiscardingTransport.METRIC_POINTS.sum() > 0,
          "no metric points reached the transport");
    } else {
      expect(
          problems,
          DiscardingTransport.METRIC_POINTS.sum() == 0,
          "metric points without +metrics: " + DiscardingTransport.METRIC_POINTS.sum());
    }
    switch (Modes.base(mode)) {
      case Modes.NONE:
      case Modes.FORWARDING:
      case Modes.SENTRY_DISABLED:
        expect(problems, !sentryWasEnabled, "Sentry must be disabled");
        expect(problems, sent.isEmpty(), "no transaction may be created, got " + sent.size());
        break;
      case Modes.ERRORS_ONLY:
      case Modes.UNSAMPLED:
        expect(problems, sentryWasEnabled, "Sentry must be enabled");
        expect(problems, sent.isEmpty(), "no transaction may be sent, got " + sent.size());
        expect(
            problems,
            DiscardingTransport.TRANSACTIONS.sum() == 0,
            "the transport got " + DiscardingTransport.TRANSACTIONS.sum() + " transactions");
        break;
      case Modes.SAMPLED:
      case Modes.SAMPLED_HTTP:
      case Modes.STALLED_BACKEND:
        expect(problems, sentryWasEnabled, "Sentry must be enabled");
        checkSentryTrace(problems, sent, expectedServer, STREAMS);
        if (Modes.SAMPLED.equals(mode)) {
          expect(
              problems,
              DiscardingTransport.TRANSACTIONS.sum() == sent.size(),
              "the transport got " + DiscardingTransport.TRANSACTIONS.sum()
                  + " transactions, beforeSend saw " + sent.size());
        }
        break;
      case Modes.OTEL:
        expect(problems, !sentryWasEnabled, "Sentry must be disabled");
        checkOtelTrace(problems, otelSpans, expectedServer);
        break;
      default:
        problems.add("unknown mode");
    }
    return problems;
  }

  /** Server transactions: one per call, each the child of a grpc.client span of the caller. */
  private static void checkSentryTrace(
      List<String> problems, List<SentryTransaction> sent, int expectedServer, int expectedStreams) {
    List<SentryTransaction> server = new ArrayList<>();
    Set<String> clientSpanIds = new HashSet<>();
    Set<String> clientTraceIds = new HashSet<>();
    int clientSpans = 0;
    synchronized (sent) {
      for (SentryTransaction transaction : sent) {
        if ("grpc.server".equals(transaction.getContexts().getTrace().getOperation())) {
          server.add(transaction);
        } else if ("benchmark".equals(transaction.getContexts().getTrace().getOperation())) {
          for (SentrySpan span : transaction.getSpans()) {
            if ("grpc.client".equals(span.getOp())) {
              clientSpans++;
              clientSpanIds.add(span.getSpanId().toString());
              clientTraceIds.add(span.getTraceId().toString());
            }
          }
        }
      }
    }
    expect(problems, server.size() == expectedServer,
        "server transactions: expected " + expectedServer + ", got " + server.size());
    expect(problems, clientSpans == expectedServer,
        "grpc.client spans: expected " + expectedServer + ", got " + clientSpans);
    int orphans = 0;
    int streamsWith1000 = 0;
    for (SentryTransaction transaction : server) {
      Object parent = transaction.getContexts().getTrace().getParentSpanId();
      if (parent == null
          || !clientSpanIds.contains(parent.toString())
          || !clientTraceIds.contains(transaction.getContexts().getTrace().getTraceId().toString())) {
        orphans++;
      }
      Object sentCount = transaction.getContexts().getTrace().getData().get("grpc.messages.sent");
      if ("sentrygrpc.test.EchoService/ServerStream".equals(transaction.getTransaction())
          && sentCount != null && ((Number) sentCount).intValue() == ServerStream.MESSAGES) {
        streamsWith1000++;
      }
    }
    expect(problems, orphans == 0, orphans + " server transactions are not children of a client span");
    expect(problems, streamsWith1000 == expectedStreams,
        "stream transactions with grpc.messages.sent=1000: " + streamsWith1000);
  }

  /** OpenTelemetry: a CLIENT and a SERVER span per call, the server the client's child. */
  private static void checkOtelTrace(List<String> problems, List<SpanData> spans, int expectedServer) {
    Set<String> clientIds = new HashSet<>();
    int clients = 0;
    int servers = 0;
    int orphans = 0;
    synchronized (spans) {
      for (SpanData span : spans) {
        if (span.getKind() == SpanKind.CLIENT) {
          clients++;
          clientIds.add(span.getSpanId());
        }
      }
      for (SpanData span : spans) {
        if (span.getKind() == SpanKind.SERVER) {
          servers++;
          if (!clientIds.contains(span.getParentSpanId())) {
            orphans++;
          }
        }
      }
    }
    expect(problems, clients == expectedServer, "client spans: expected " + expectedServer + ", got " + clients);
    expect(problems, servers == expectedServer, "server spans: expected " + expectedServer + ", got " + servers);
    expect(problems, orphans == 0, orphans + " server spans are not children of a client span");
  }

  private static List<String> floor() throws Exception {
    List<SentryTransaction> sent = Collections.synchronizedList(new ArrayList<>());
    Rig.extraOptions =
        options ->
            options.setBeforeSendTransaction(
                (transaction, hint) -> {
                  sent.add(transaction);
                  return transaction;
                });
    Rig rig = Rig.create(Modes.SAMPLED);
    rig.enterCallerThread();
    for (int i = 0; i < CALLS; i++) {
      Floor.oneCall(rig.clientScopes());
      rig.afterCall();
    }
    rig.close();
    List<String> problems = new ArrayList<>();
    checkSentryTrace(problems, sent, CALLS, 0);
    System.out.printf("%-16s transactions to beforeSend=%d%n", "sentry-floor", sent.size());
    return problems;
  }

  private static void expect(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }
}

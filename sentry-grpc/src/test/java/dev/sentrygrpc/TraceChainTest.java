package dev.sentrygrpc;

import static dev.sentrygrpc.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import dev.sentrygrpc.testservice.Pools;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SpanStatus;
import io.sentry.TraceContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One trace across three pieces, with both interceptors: a caller inside a transaction calls
 * service A, whose handler calls service B. Case 4 of CONFORMANCE.md, over two hops.
 */
class TraceChainTest {
  static final String A_METHOD = "sentrygrpc.test.EchoService/Unary";
  static final String B_METHOD = "sentrygrpc.test.EchoService/ServerStream";

  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void oneTraceRunsFromTheCallerThroughAToB(TestServer.Transport transport) throws Exception {
    sentry = SentryRecorder.init();
    ExecutorService aExecutor = Executors.newFixedThreadPool(2);
    try (TestServer b =
            TestServer.builder()
                .transport(transport)
                .serverInterceptors(new SentryServerInterceptor())
                .clientInterceptors(new SentryClientInterceptor())
                .start();
        ServiceA a = ServiceA.start(transport, b.channel, aExecutor)) {
      ISentryLifecycleToken scopes = Sentry.forkedRootScopes("chain-test").makeCurrent();
      try {
        TransactionOptions bound = new TransactionOptions();
        bound.setBindToScope(true);
        ITransaction checkout = Sentry.startTransaction("checkout", "task", bound);
        EchoReply reply = EchoServiceGrpc.newBlockingStub(a.channel).unary(request("order"));
        assertThat(reply.getMessage()).isEqualTo("order via B: 2 replies");
        checkout.finish();
      } finally {
        scopes.close();
      }
    } finally {
      Pools.drain(aExecutor);
    }

    List<SentryTransaction> transactions = sentry.awaitTransactions(3);
    sentry.settle();
    assertThat(sentry.transactions()).hasSize(3);
    SentryTransaction caller = named(transactions, "checkout");
    SentryTransaction serverA = named(transactions, A_METHOD);
    SentryTransaction serverB = named(transactions, B_METHOD);

    SentryId traceId = caller.getContexts().getTrace().getTraceId();
    assertThat(serverA.getContexts().getTrace().getTraceId()).isEqualTo(traceId);
    assertThat(serverB.getContexts().getTrace().getTraceId()).isEqualTo(traceId);

    SentrySpan callToA = onlyClientSpan(caller);
    assertThat(callToA.getDescription()).isEqualTo(A_METHOD);
    assertThat(callToA.getTraceId()).isEqualTo(traceId);
    assertThat(serverA.getContexts().getTrace().getOperation()).isEqualTo("grpc.server");
    assertThat(serverA.getContexts().getTrace().getParentSpanId()).isEqualTo(callToA.getSpanId());

    SentrySpan callToB = onlyClientSpan(serverA);
    assertThat(callToB.getDescription()).isEqualTo(B_METHOD);
    assertThat(callToB.getTraceId()).isEqualTo(traceId);
    assertThat(callToB.getParentSpanId()).isEqualTo(serverA.getContexts().getTrace().getSpanId());
    assertThat(serverB.getContexts().getTrace().getParentSpanId()).isEqualTo(callToB.getSpanId());

    assertThat(serverA.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(serverB.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(callToA.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(callToB.getStatus()).isEqualTo(SpanStatus.OK);

    // The head's dynamic sampling context travels both hops in the baggage, unchanged.
    for (SentryTransaction server : new SentryTransaction[] {serverA, serverB}) {
      TraceContext dsc = sentry.traceHeaderOf(server);
      assertThat(dsc.getTraceId()).isEqualTo(traceId);
      assertThat(dsc.getTransaction()).as("head transaction in the DSC").isEqualTo("checkout");
      assertThat(dsc.getPublicKey()).isEqualTo(publicKey());
    }
  }

  /** The public key of the DSN the SDK runs with: the recorder's, or the HTTP receiver's. */
  private static String publicKey() {
    String dsn = Sentry.getCurrentScopes().getOptions().getDsn();
    return dsn.substring(dsn.indexOf("://") + 3, dsn.indexOf('@'));
  }

  private static SentryTransaction named(List<SentryTransaction> transactions, String name) {
    List<SentryTransaction> matching = new ArrayList<>();
    for (SentryTransaction transaction : transactions) {
      if (name.equals(transaction.getTransaction())) {
        matching.add(transaction);
      }
    }
    assertThat(matching).as("transactions named " + name).hasSize(1);
    return matching.get(0);
  }

  private static SentrySpan onlyClientSpan(SentryTransaction transaction) {
    List<SentrySpan> spans = new ArrayList<>();
    for (SentrySpan span : transaction.getSpans()) {
      if ("grpc.client".equals(span.getOp())) {
        spans.add(span);
      }
    }
    assertThat(spans).as("grpc.client spans of " + transaction.getTransaction()).hasSize(1);
    return spans.get(0);
  }

  /**
   * Service A: its unary handler asks B for a server stream through a channel carrying the client
   * interceptor, and answers with what it got. Served on its own server (the TestServer serves
   * EchoService under the same service name), behind the server interceptor.
   */
  private static final class ServiceA extends EchoServiceGrpc.EchoServiceImplBase
      implements AutoCloseable {
    private final EchoServiceGrpc.EchoServiceBlockingStub b;
    private Server server;
    ManagedChannel channel;

    private ServiceA(io.grpc.Channel toB) {
      this.b = EchoServiceGrpc.newBlockingStub(toB);
    }

    static ServiceA start(
        TestServer.Transport transport, io.grpc.Channel toB, ExecutorService executor)
        throws IOException {
      ServiceA a = new ServiceA(toB);
      ServerBuilder<?> serverBuilder;
      String name = InProcessServerBuilder.generateName();
      if (transport == TestServer.Transport.NETTY) {
        serverBuilder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
      } else {
        serverBuilder = InProcessServerBuilder.forName(name);
      }
      // A pool, as a real server has: A's handler blocks on its call to B.
      a.server =
          serverBuilder
              .addService(ServerInterceptors.intercept(a, new SentryServerInterceptor()))
              .executor(executor)
              .build()
              .start();
      ManagedChannelBuilder<?> channelBuilder =
          transport == TestServer.Transport.NETTY
              ? NettyChannelBuilder.forAddress("127.0.0.1", a.server.getPort()).usePlaintext()
              : InProcessChannelBuilder.forName(name);
      a.channel = channelBuilder.intercept(new SentryClientInterceptor()).build();
      return a;
    }

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
      int replies = 0;
      Iterator<EchoReply> fromB =
          b.serverStream(EchoRequest.newBuilder().setMessage("ok").setCount(2).build());
      while (fromB.hasNext()) {
        fromB.next();
        replies++;
      }
      responses.onNext(
          EchoReply.newBuilder()
              .setMessage(request.getMessage() + " via B: " + replies + " replies")
              .build());
      responses.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}

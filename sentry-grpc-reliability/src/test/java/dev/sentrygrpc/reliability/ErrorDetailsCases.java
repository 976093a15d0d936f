package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link HostileErrorDetails} cases through a real in-process server and client (the
 * in-process transport carries trailers Netty would refuse, so the interceptors see the worst of
 * it), both with the Sentry interceptors, and checks what reached the receiver.
 */
final class ErrorDetailsCases {
  /** The bounds sentry-grpc documents (README, "What is sent"). */
  static final int MAX_NAME = 256;
  static final int MAX_ITEMS = 20;
  static final int MAX_CONTEXT_CHARS = 16 * 1024 + 8 * 1024;
  static final int CALLS_PER_CALLER_TRANSACTION = 50;

  private final Map<String, HostileErrorDetails.Case> cases = new HashMap<>();
  private final int count;
  private final Random random;
  final List<String> wrongEndings = new ArrayList<>();

  ErrorDetailsCases(int count, Random random) {
    this.count = count;
    this.random = random;
  }

  void run(List<Throwable> escaped) throws Exception {
    Status.Code[] all = Status.Code.values();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .capturedClientStatusCodes(Arrays.copyOfRange(all, 1, all.length))
            .build();
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(EchoServiceGrpc.SERVICE_NAME)
            .addMethod(EchoServiceGrpc.getUnaryMethod(), closingHandler(escaped))
            .build();
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, new SentryServerInterceptor(options)))
            .build()
            .start();
    ManagedChannel channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .intercept(new SentryClientInterceptor(options))
            .build();
    IScopes caller = Sentry.forkedRootScopes("hostile-details");
    try (ISentryLifecycleToken ignored = caller.makeCurrent()) {
      ITransaction transaction = null;
      for (int i = 0; i < count; i++) {
        if (i % CALLS_PER_CALLER_TRANSACTION == 0) {
          if (transaction != null) {
            transaction.finish();
          }
          TransactionOptions bound = new TransactionOptions();
          bound.setBindToScope(true);
          transaction = Sentry.startTransaction(new TransactionContext("caller", "task"), bound);
        }
        String id = "details-" + i;
        HostileErrorDetails.Case generated = HostileErrorDetails.generate(random, id);
        cases.put(id, generated);
        byte[] sent = generated.trailers.get(HostileErrorDetails.KEY);
        Sentry.setTag("case", id);
        try {
          EchoServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .unary(EchoRequest.newBuilder().setMessage(id).build());
          wrongEndings.add(id + ": OK");
        } catch (StatusRuntimeException e) {
          byte[] received = e.getTrailers() == null ? null : e.getTrailers().get(HostileErrorDetails.KEY);
          if (e.getStatus().getCode() != generated.status.getCode() || !Arrays.equals(sent, received)) {
            wrongEndings.add(id + ": " + e.getStatus() + " for " + generated.status);
          }
        }
      }
      if (transaction != null) {
        transaction.finish();
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The server side: closes each call with its case's status and trailers. */
  private ServerCallHandler<EchoRequest, EchoReply> closingHandler(List<Throwable> escaped) {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<EchoRequest>() {
        private String id;

        @Override
        public void onMessage(EchoRequest request) {
          id = request.getMessage();
        }

        @Override
        public void onHalfClose() {
          Sentry.setTag("case", id);
          HostileErrorDetails.Case generated = cases.get(id);
          try {
            call.close(generated.status, generated.trailers);
          } catch (RuntimeException | Error e) {
            escaped.add(e);
            throw e;
          }
        }
      };
    };
  }

  void assertWhatArrived(SentryReceiver receiver) {
    int callers = (count + CALLS_PER_CALLER_TRANSACTION - 1) / CALLS_PER_CALLER_TRANSACTION;
    List<SentryTransaction> transactions =
        receiver.awaitTransactions(count + callers, Duration.ofSeconds(120));
    List<SentryEvent> events = receiver.awaitEvents(count, Duration.ofSeconds(120));
    int reasonsExpected = 0;
    int clientSpans = 0;
    for (SentryTransaction transaction : transactions) {
      Map<String, Object> data = transaction.getContexts().getTrace().getData();
      assertBounded(transaction.getTransaction(), data);
      boolean server = EchoServiceGrpc.getUnaryMethod().getFullMethodName().equals(transaction.getTransaction());
      HostileErrorDetails.Case generated = server ? cases.get(transaction.getTag("case")) : null;
      if (generated != null && generated.expectedReason != null) {
        reasonsExpected++;
        assertThat(data).containsEntry("grpc.error.reason", generated.expectedReason);
      }
      for (SentrySpan span : transaction.getSpans()) {
        if ("grpc.client".equals(span.getOp())) {
          clientSpans++;
          assertBounded("client span " + span.getSpanId(), span.getData());
        }
      }
    }
    assertThat(clientSpans).isEqualTo(count);
    assertThat(reasonsExpected).as("well-formed cases among the generated ones").isGreaterThan(count / 20);
    for (SentryEvent event : events) {
      Object context = event.getContexts().get("grpc.client");
      assertThat(context).isInstanceOf(Map.class);
      Object details = ((Map<?, ?>) context).get("error_details");
      if (details != null) {
        assertThat(String.valueOf(details).length()).isLessThan(MAX_CONTEXT_CHARS);
      }
      assertThat(event.getFingerprints()).hasSizeBetween(3, 5);
      for (String part : event.getFingerprints()) {
        assertThat(part.length()).isLessThanOrEqualTo(MAX_NAME);
      }
      HostileErrorDetails.Case generated = cases.get(event.getTag("case"));
      assertThat(generated).as("every event is one of the calls").isNotNull();
      if (generated.expectedReason != null) {
        List<String> fingerprint = event.getFingerprints();
        assertThat(fingerprint.get(fingerprint.size() - 1)).isEqualTo(generated.expectedReason);
      }
    }
  }

  /** Every grpc.error.* value: strings and list items within the name bound, lists within 20. */
  private static void assertBounded(String where, Map<String, Object> data) {
    if (data == null) {
      return;
    }
    for (Map.Entry<String, Object> entry : data.entrySet()) {
      if (!entry.getKey().startsWith("grpc.error.")) {
        continue;
      }
      Object value = entry.getValue();
      if (value instanceof String) {
        assertThat(((String) value).length()).as(where + " " + entry.getKey()).isLessThanOrEqualTo(MAX_NAME);
      } else if (value instanceof List) {
        List<?> list = (List<?>) value;
        assertThat(list).as(where + " " + entry.getKey()).hasSizeLessThanOrEqualTo(MAX_ITEMS);
        for (Object item : list) {
          assertThat(String.valueOf(item).length()).as(where + " " + entry.getKey()).isLessThanOrEqualTo(MAX_NAME);
        }
      } else {
        assertThat(value).as(where + " " + entry.getKey()).isInstanceOf(Number.class);
        assertThat(((Number) value).longValue()).isNotNegative();
      }
    }
  }
}

package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.sentry.Sentry;
import io.sentry.SentryTraceHeader;
import io.sentry.exception.InvalidSentryTraceHeaderException;
import io.sentry.protocol.SentryTransaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever a caller puts in metadata: 10,000 generated cases from a fixed seed (wrong lengths,
 * bad hex, values up to gRPC's 8 KiB metadata limit, thousands of baggage members, non-ASCII and
 * control characters, repeated and binary keys). Zero failed calls, zero escaped exceptions; a
 * usable {@code sentry-trace} is continued and an unusable one gives a new trace.
 *
 * <p>The in-process transport carries values Netty would refuse before they reach a server, so
 * the interceptor sees the worst of it.
 */
class HostileInputTest {
  static final int CASES = Integer.getInteger("hostile.cases", 10_000);
  static final int DETAILS_CASES = Integer.getInteger("hostile.detailsCases", 1_000);
  static final long SEED = 0x5e417e9L;
  static final int METADATA_LIMIT = 8 * 1024;

  static final Metadata.Key<String> SENTRY_TRACE = Metadata.Key.of("sentry-trace", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  private SentryReceiver receiver;
  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, options -> {});
  }

  @AfterEach
  void stop() {
    Sentry.close();
    receiver.close();
  }

  @Test
  void generatedMetadataNeverFailsACall() throws Exception {
    Random random = new Random(SEED);
    Map<String, String> expectedTrace = new HashMap<>();
    List<String> rejectedTraceIds = new ArrayList<>();
    String name = InProcessServerBuilder.generateName();
    ReliabilityService service = new ReliabilityService();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(service, new SentryServerInterceptor(), escapeRecorder()))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    int failedCalls = 0;
    try {
      for (int i = 0; i < CASES; i++) {
        Metadata headers = new Metadata();
        String lastSentryTrace = null;
        int traces = 1 + (random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0);
        for (int t = 0; t < traces; t++) {
          lastSentryTrace = sentryTrace(random);
          headers.put(SENTRY_TRACE, lastSentryTrace);
        }
        int baggages = random.nextInt(4);
        for (int b = 0; b < baggages; b++) {
          headers.put(BAGGAGE, baggage(random));
        }
        if (random.nextBoolean()) {
          headers.put(TRACEPARENT, anyText(random, 1 + random.nextInt(120)));
        }
        if (random.nextInt(5) == 0) {
          headers.put(
              Metadata.Key.of("sentry-trace-bin", Metadata.BINARY_BYTE_MARSHALLER), bytes(random));
          headers.put(Metadata.Key.of("baggage-bin", Metadata.BINARY_BYTE_MARSHALLER), bytes(random));
        }
        if (random.nextInt(4) == 0) {
          headers.put(
              Metadata.Key.of("x-" + random.nextInt(1000), Metadata.ASCII_STRING_MARSHALLER),
              anyText(random, random.nextInt(200)));
        }
        String id = "case-" + i;
        String continued = usableTraceId(lastSentryTrace);
        if (continued != null) {
          expectedTrace.put(id, continued);
        } else {
          rejectedTraceIds.add(id);
        }
        try {
          EchoServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .unary(EchoRequest.newBuilder().setMessage(id).build());
        } catch (StatusRuntimeException e) {
          failedCalls++;
        }
      }
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
    assertThat(failedCalls).isZero();
    assertThat(escaped).isEmpty();

    Sentry.flush(60_000);
    List<SentryTransaction> transactions =
        receiver.awaitTransactions(expectedTrace.size() + rejectedTraceIds.size(), Duration.ofSeconds(90));
    Map<String, String> traceOf = new HashMap<>();
    for (SentryTransaction transaction : transactions) {
      traceOf.put(transaction.getTag("call"), transaction.getContexts().getTrace().getTraceId().toString());
    }
    for (Map.Entry<String, String> expected : expectedTrace.entrySet()) {
      assertThat(traceOf.get(expected.getKey())).as("continued %s", expected.getKey()).isEqualTo(expected.getValue());
    }
    // Unusable input: each such call got a trace of its own.
    List<String> fresh = new ArrayList<>();
    for (String id : rejectedTraceIds) {
      fresh.add(traceOf.get(id));
    }
    assertThat(fresh).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(expectedTrace).as("the generator makes usable headers too").isNotEmpty();
    assertThat(rejectedTraceIds).as("and unusable ones").isNotEmpty();
  }

  /**
   * Whatever a service puts in {@code grpc-status-details-bin} (see {@link HostileErrorDetails}),
   * on both sides at once, every protected part allowed: every call ends with the status and
   * trailer its server sent, nothing escapes, every {@code grpc.error.*} value and every event's
   * details stay within bounds, and well-formed details still come through.
   */
  @Test
  void generatedErrorDetailsNeverFailACall() throws Exception {
    Sentry.close();
    Harness.initSentry(receiver, options -> options.setSendDefaultPii(true));
    ErrorDetailsCases cases = new ErrorDetailsCases(DETAILS_CASES, new Random(SEED));
    cases.run(escaped);
    assertThat(cases.wrongEndings).isEmpty();
    assertThat(escaped).isEmpty();

    Sentry.flush(60_000);
    cases.assertWhatArrived(receiver);
  }

  /** The trace id the SDK's own parser finds in the header (sampled or undecided), else null. */
  private static String usableTraceId(String header) {
    try {
      SentryTraceHeader parsed = new SentryTraceHeader(header);
      if (Boolean.FALSE.equals(parsed.isSampled())) {
        throw new AssertionError("the generator never asks not to sample");
      }
      return parsed.getTraceId().toString();
    } catch (InvalidSentryTraceHeaderException e) {
      return null;
    }
  }

  private static String sentryTrace(Random random) {
    switch (random.nextInt(9)) {
      case 0:
      case 1:
        return hex(random, 32) + "-" + hex(random, 16) + (random.nextBoolean() ? "-1" : "");
      case 2:
        return hex(random, random.nextInt(40)) + "-" + hex(random, random.nextInt(20)) + "-1";
      case 3:
        return "zz" + hex(random, 30) + "-" + "gg" + hex(random, 14) + "-1";
      case 4:
        return anyText(random, METADATA_LIMIT / 2 + random.nextInt(METADATA_LIMIT / 3));
      case 5:
        return hex(random, 32) + "-" + hex(random, 16) + "-" + anyText(random, 3);
      case 6:
        return "";
      case 7:
        return hex(random, 32) + "\u00e9-" + hex(random, 16) + "-1\u0000";
      default:
        return anyText(random, random.nextInt(80));
    }
  }

  private static String baggage(Random random) {
    switch (random.nextInt(6)) {
      case 0:
        return "sentry-trace_id=" + hex(random, 32) + ",sentry-public_key=k,sentry-sample_rate=" + random.nextDouble();
      case 1:
        {
          StringBuilder many = new StringBuilder();
          while (many.length() < METADATA_LIMIT - 600) {
            many.append(random.nextBoolean() ? "sentry-" : "vendor")
                .append(random.nextInt(100000)).append('=').append(random.nextInt()).append(',');
          }
          return many.toString();
        }
      case 2:
        return "sentry-sample_rate=" + anyText(random, 10) + ",sentry-sample_rand=NaN,=,,;;==";
      case 3:
        return "%zz%" + anyText(random, 40) + ",sentry-release=%E9%" + anyText(random, 5);
      case 4:
        return "sentry-environment=\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9\n\r\t";
      default:
        return anyText(random, random.nextInt(300));
    }
  }

  private static String hex(Random random, int length) {
    StringBuilder hex = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      hex.append(Character.forDigit(random.nextInt(16), 16));
    }
    return hex.toString();
  }

  /** Printable ASCII most of the time, sometimes control or non-ASCII characters. */
  private static String anyText(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        text.append((char) random.nextInt(0x20));
      } else if (kind == 1) {
        text.append((char) (0x80 + random.nextInt(0x2000)));
      } else {
        text.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return text.toString();
  }

  private static byte[] bytes(Random random) {
    byte[] bytes = new byte[random.nextInt(64)];
    random.nextBytes(bytes);
    return bytes.length == 0 ? "x".getBytes(StandardCharsets.US_ASCII) : bytes;
  }

  /** Innermost: records anything the handler side throws back towards the interceptor. */
  private ServerInterceptor escapeRecorder() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(next.startCall(call, headers)) {
          @Override
          public void onHalfClose() {
            try {
              super.onHalfClose();
            } catch (RuntimeException e) {
              escaped.add(e);
              throw e;
            }
          }
        };
      }
    };
  }
}

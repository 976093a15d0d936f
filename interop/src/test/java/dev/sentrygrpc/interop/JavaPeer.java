package dev.sentrygrpc.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sentrygrpc.testing.ReceivedEnvelope;
import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.stub.StreamObserver;
import io.sentry.JsonSerializer;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import io.sentry.TraceContext;
import io.sentry.protocol.SentryTransaction;
import java.io.StringReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Java side of the interop tests: its Sentry settings, its service, and small helpers. */
final class JavaPeer {
  static final String SERVICE = "sentrygrpc.test.EchoService";

  /** Distinct on each side, so a test can tell whose dynamic sampling context a header carries. */
  static final String JAVA_ENVIRONMENT = "java-interop-env";
  static final String JAVA_RELEASE = "sentry-grpc-interop-java@4.5.6";
  static final String NODE_ENVIRONMENT = "node-interop-env";
  static final String NODE_RELEASE = "sentry-grpc-interop-node@1.2.3";

  private JavaPeer() {}

  /** Java's Sentry, sending to the same receiver as the Node.js peers. */
  static void initSentry(SentryReceiver receiver) {
    Sentry.init(
        options -> {
          options.setDsn(receiver.dsn());
          options.setTracesSampleRate(1.0);
          options.setEnvironment(JAVA_ENVIRONMENT);
          options.setRelease(JAVA_RELEASE);
        });
  }

  /** The Java transactions of a trace, i.e. those the Java SDK sent. */
  static List<SentryTransaction> javaTransactions(SentryReceiver receiver, String traceId) {
    List<SentryTransaction> transactions = new ArrayList<>();
    for (ReceivedEnvelope envelope : receiver.envelopes()) {
      if (NodeSpan.isNode(envelope)) {
        continue;
      }
      for (SentryTransaction transaction : envelope.transactions()) {
        if (traceId.equals(transaction.getContexts().getTrace().getTraceId().toString())) {
          transactions.add(transaction);
        }
      }
    }
    return transactions;
  }

  static boolean sentByJava(SentryTransaction transaction) {
    return transaction.getSdk() != null && transaction.getSdk().getName().startsWith("sentry.java");
  }

  /** The dynamic sampling context in the header of the envelope that carried the transaction. */
  static TraceContext envelopeTraceOf(SentryReceiver receiver, SentryTransaction transaction) {
    for (ReceivedEnvelope envelope : receiver.envelopes()) {
      if (envelope.transactions().contains(transaction)) {
        return envelope.header().getTraceContext();
      }
    }
    throw new AssertionError("no envelope carried " + transaction.getEventId());
  }

  /** The {@code sentry-*} members of a baggage value, prefix removed and values decoded. */
  static Map<String, String> sentryBaggage(String baggage) {
    Map<String, String> members = new LinkedHashMap<>();
    for (String member : baggage.split(",")) {
      String[] keyAndValue = member.trim().split("=", 2);
      if (keyAndValue.length == 2 && keyAndValue[0].startsWith("sentry-")) {
        members.put(
            keyAndValue[0].substring("sentry-".length()),
            URLDecoder.decode(keyAndValue[1], StandardCharsets.UTF_8));
      }
    }
    return members;
  }

  /** The fields of a dynamic sampling context under their baggage names. */
  static Map<String, String> asBaggage(TraceContext trace) {
    Map<String, String> members = new LinkedHashMap<>();
    put(members, "trace_id", trace.getTraceId() == null ? null : trace.getTraceId().toString());
    put(members, "public_key", trace.getPublicKey());
    put(members, "release", trace.getRelease());
    put(members, "environment", trace.getEnvironment());
    put(members, "transaction", trace.getTransaction());
    put(members, "sample_rate", trace.getSampleRate());
    put(members, "sample_rand", trace.getSampleRand());
    put(members, "sampled", trace.getSampled());
    return members;
  }

  /**
   * Asserts that two dynamic sampling contexts are the same: equal members, except that {@code
   * sample_rand} and {@code sample_rate} are compared as numbers. Each SDK parses them into a
   * double and writes that back its own way: Node.js writes the shortest exact form (up to 17
   * digits, "0.19856625404925765"), the Java SDK at most 16 decimals ("0.1985662540492577"). A
   * difference in the 17th digit changes no sampling decision.
   */
  static void assertSameContext(
      Map<String, String> actual, Map<String, String> expected, String description) {
    Map<String, String> actualRest = new LinkedHashMap<>(actual);
    Map<String, String> expectedRest = new LinkedHashMap<>(expected);
    for (String key : new String[] {"sample_rand", "sample_rate"}) {
      String actualValue = actualRest.remove(key);
      String expectedValue = expectedRest.remove(key);
      if (expectedValue == null) {
        assertThat(actualValue).as("%s: %s in %s", description, key, actual).isNull();
      } else {
        assertThat(actualValue).as("%s: %s in %s", description, key, actual).isNotNull();
        assertThat(Double.parseDouble(actualValue))
            .as("%s: %s in %s, expected %s", description, key, actual, expected)
            .isCloseTo(Double.parseDouble(expectedValue), within(1e-15));
      }
    }
    assertThat(actualRest).as("%s (expected %s)", description, expected).isEqualTo(expectedRest);
  }

  private static void put(Map<String, String> members, String key, String value) {
    if (value != null) {
      members.put(key, value);
    }
  }

  /** A JSON object printed by a Node.js peer. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> json(String text) {
    Object value =
        new JsonSerializer(new SentryOptions())
            .deserialize(new StringReader(text), (Class<Object>) (Class<?>) Map.class);
    if (!(value instanceof Map)) {
      throw new AssertionError("not a JSON object: " + text);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Map<String, Object> json, String... path) {
    Map<String, Object> current = json;
    for (String key : path) {
      Object next = current.get(key);
      if (!(next instanceof Map)) {
        throw new AssertionError("no object at " + String.join(".", path) + " in " + json);
      }
      current = (Map<String, Object>) next;
    }
    return current;
  }

  /** The Java EchoService the Node.js client calls. */
  static final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
      replies.onNext(EchoReply.newBuilder().setMessage("java:" + request.getMessage()).build());
      replies.onCompleted();
    }

    @Override
    public void serverStream(EchoRequest request, StreamObserver<EchoReply> replies) {
      for (int i = 0; i < Math.max(1, request.getCount()); i++) {
        replies.onNext(
            EchoReply.newBuilder().setMessage("java:" + request.getMessage()).setIndex(i).build());
      }
      replies.onCompleted();
    }
  }
}

package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.sentry.ILogger;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONFORMANCE.md case 38, first half: without protobuf-java and the common protos on the class
 * path nothing changes and nothing fails, even when calls carry a well-formed {@code
 * grpc-status-details-bin}. Run by the build's {@code without-protobuf} test execution, whose class
 * path lacks protobuf, the common protos, grpc-protobuf and the generated test stubs; so this class
 * uses a hand-written method with a String marshaller and encodes the details by hand.
 */
@Tag("without-protobuf")
class WithoutProtobufTest {
  /** Set by the execution that removes protobuf: only there must it be missing. */
  static final boolean PROTOBUF_REMOVED = Boolean.getBoolean("sentrygrpc.withoutProtobuf");

  static final String SERVICE = "sentrygrpc.plain.Plain";
  static final MethodDescriptor<String, String> CALL =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(SERVICE + "/Call")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  /** google.rpc.Status{FAILED_PRECONDITION, ErrorInfo{CARD_DECLINED, payments.shop.example}}. */
  static final byte[] DETAILS =
      concat(
          varintField(1, 9),
          bytesField(2, utf8("card declined")),
          bytesField(
              3,
              concat(
                  bytesField(1, utf8("type.googleapis.com/google.rpc.ErrorInfo")),
                  bytesField(
                      2,
                      concat(
                          bytesField(1, utf8("CARD_DECLINED")),
                          bytesField(2, utf8("payments.shop.example")))))));

  private SentryRecorder sentry;
  private final List<String> sentryGrpcLogs = new CopyOnWriteArrayList<>();
  private final List<Throwable> sentryGrpcThrowables = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void onlyWhereProtobufIsGone() {
    Assumptions.assumeTrue(
        PROTOBUF_REMOVED, "runs in the without-protobuf execution (mvn verify -pl sentry-grpc)");
    assertThatThrownBy(() -> Class.forName("com.google.protobuf.Message"))
        .as("protobuf-java must be missing here")
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("com.google.rpc.Status"))
        .as("the common protos must be missing here")
        .isInstanceOf(ClassNotFoundException.class);
  }

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void callsWithDetailsWorkAndReportAsWithoutThem(boolean netty) throws Exception {
    sentry =
        SentryRecorder.init(
            options -> {
              options.setTracesSampleRate(1.0);
              options.setSendDefaultPii(true);
              options.setDebug(true);
              options.setLogger(new RecordingLogger());
            });
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .capturedClientStatusCodes(Status.Code.FAILED_PRECONDITION)
            .capturedErrorDetails("DebugInfo")
            .build();
    ServerServiceDefinition service =
        ServerInterceptors.intercept(
            ServerServiceDefinition.builder(SERVICE).addMethod(CALL, new Handler()).build(),
            new SentryServerInterceptor(options));
    String name = InProcessServerBuilder.generateName();
    Server server =
        netty
            ? NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor()
                .addService(service)
                .build()
                .start()
            : InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    ManagedChannel channel =
        netty
            ? NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .intercept(new SentryClientInterceptor(options))
                .build()
            : InProcessChannelBuilder.forName(name)
                .directExecutor()
                .intercept(new SentryClientInterceptor(options))
                .build();
    IScopes caller = Sentry.forkedRootScopes("without-protobuf");
    try (ISentryLifecycleToken ignored = caller.makeCurrent()) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      ITransaction transaction = Sentry.startTransaction(new TransactionContext("caller", "task"), bound);
      assertThat(ClientCalls.blockingUnaryCall(channel, CALL, CallOptions.DEFAULT, "ok")).isEqualTo("pong");
      StatusRuntimeException declined =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(channel, CALL, CallOptions.DEFAULT, "declined"));
      assertThat(declined.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(declined.getTrailers().get(ErrorDetailsReader.KEY)).isEqualTo(DETAILS);
      StatusRuntimeException broken =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(channel, CALL, CallOptions.DEFAULT, "broken"));
      assertThat(broken.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      transaction.finish();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    // Three server transactions and the caller's, with its three client spans: all as usual.
    List<SentryTransaction> transactions = sentry.awaitTransactions(4);
    int clientSpans = 0;
    for (SentryTransaction transaction : transactions) {
      assertNoErrorData(transaction.getContexts().getTrace().getData());
      for (SentrySpan span : transaction.getSpans()) {
        if ("grpc.client".equals(span.getOp())) {
          clientSpans++;
          assertThat(span.getData()).containsKey("rpc.response.status_code");
        }
        assertNoErrorData(span.getData());
      }
    }
    assertThat(clientSpans).isEqualTo(3);
    // (Its own loop, not ServerInterceptorTest.dataOf: that class needs the generated stubs.)
    int serverTransactions = 0;
    for (SentryTransaction transaction : transactions) {
      if ((SERVICE + "/Call").equals(transaction.getTransaction())) {
        serverTransactions++;
        assertThat(transaction.getContexts().getTrace().getData()).containsEntry("rpc.system", "grpc");
      }
    }
    assertThat(serverTransactions).isEqualTo(3);

    // The client's opted-in event and the server's event for INTERNAL with a cause.
    List<SentryEvent> events = sentry.awaitEvents(2);
    sentry.settle();
    assertThat(sentry.events()).hasSize(2);
    for (SentryEvent event : events) {
      Object client = event.getContexts().get("grpc.client");
      Object grpc = client != null ? client : event.getContexts().get("grpc");
      assertThat(grpc).isInstanceOf(Map.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> context = (Map<String, Object>) grpc;
      assertThat(context).containsKey("status_code").doesNotContainKey("error_details");
      if (client != null) {
        // Grouping needs no protobuf: method and code, as for any call without details.
        assertThat(event.getFingerprints())
            .containsExactly("grpc.client", SERVICE + "/Call", "FAILED_PRECONDITION");
      }
    }

    // Detection said no, once, in words; nothing of sentry-grpc failed with a Throwable (a
    // NoClassDefFoundError from touching the parser would be logged here).
    assertThat(sentryGrpcThrowables).isEmpty();
    assertThat(ErrorDetailsReader.available()).isFalse();
    assertThat(sentryGrpcLogs)
        .filteredOn(message -> message.contains("proto-google-common-protos"))
        .hasSizeLessThanOrEqualTo(1);
  }

  private static void assertNoErrorData(Map<String, Object> data) {
    if (data != null) {
      assertThat(data.keySet()).noneMatch(key -> key.startsWith("grpc.error."));
    }
  }

  /** ok: "pong"; declined: FAILED_PRECONDITION with details; broken: INTERNAL, a cause, details. */
  private static final class Handler implements ServerCallHandler<String, String> {
    @Override
    public ServerCall.Listener<String> startCall(ServerCall<String, String> call, Metadata headers) {
      call.request(1);
      return new ServerCall.Listener<String>() {
        private String request;

        @Override
        public void onMessage(String message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          Metadata trailers = new Metadata();
          if ("ok".equals(request)) {
            call.sendHeaders(new Metadata());
            call.sendMessage("pong");
            call.close(Status.OK, trailers);
            return;
          }
          trailers.put(ErrorDetailsReader.KEY, DETAILS);
          Status status =
              "declined".equals(request)
                  ? Status.FAILED_PRECONDITION.withDescription("card declined")
                  : Status.INTERNAL.withDescription("broken").withCause(new IOException("disk on fire"));
          call.close(status, trailers);
        }
      };
    }
  }

  /** Keeps what sentry-grpc logs through the SDK's logger. */
  private final class RecordingLogger implements ILogger {
    @Override
    public void log(SentryLevel level, String message, Object... args) {
      record(message, null);
    }

    @Override
    public void log(SentryLevel level, String message, Throwable throwable) {
      record(message, throwable);
    }

    @Override
    public void log(SentryLevel level, Throwable throwable, String message, Object... args) {
      record(message, throwable);
    }

    @Override
    public boolean isEnabled(SentryLevel level) {
      return true;
    }

    private void record(String message, Throwable throwable) {
      if (message != null && message.startsWith("sentry-grpc:")) {
        sentryGrpcLogs.add(message);
        if (throwable != null) {
          sentryGrpcThrowables.add(throwable);
        }
      }
    }
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(utf8(value));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        for (int n; (n = stream.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---- protobuf wire format, by hand ----

  static byte[] varintField(int number, long value) {
    return concat(varint(number << 3), varint(value));
  }

  static byte[] bytesField(int number, byte[] value) {
    return concat(varint(number << 3 | 2), varint(value.length), value);
  }

  static byte[] varint(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

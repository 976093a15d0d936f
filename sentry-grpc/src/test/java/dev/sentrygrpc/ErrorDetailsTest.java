package dev.sentrygrpc;

import static dev.sentrygrpc.CallAssertions.assertCallFailsWith;
import static dev.sentrygrpc.EchoService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rich error details ({@code google.rpc.Status} in {@code grpc-status-details-bin}), CONFORMANCE.md
 * case 37 and the malformed half of 38: real calls failing with rich statuses, in-process and over
 * Netty, and what reaches Sentry of them on both sides. The other half of 38, without protobuf on
 * the class path, is {@link WithoutProtobufTest}.
 */
class ErrorDetailsTest {
  static final String UNARY = "sentrygrpc.test.EchoService/Unary";
  static final String DOMAIN = "payments.shop.example";

  private SentryRecorder sentry;

  @AfterEach
  void closeSentry() {
    if (sentry != null) {
      sentry.close();
    }
  }

  // ---- span data ----

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void bothSidesWriteTheDetailsAsSpanData(TestServer.Transport transport) throws Exception {
    sentry = SentryRecorder.init();
    com.google.rpc.Status rich = everyDetail("CARD_DECLINED");
    try (TestServer server = server(transport, SentryGrpcOptions.defaults());
        Caller caller = new Caller()) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(rich);
      StatusRuntimeException failure =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> server.blocking().unary(request("rich")));
      // The client gets the details untouched.
      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(StatusProto.fromThrowable(failure)).isEqualTo(rich);
      caller.finish();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(2);
    Map<String, Object> server = ServerInterceptorTest.dataOf(transactions, UNARY);
    Map<String, Object> client = clientSpan(transactions).getData();
    for (Map<String, Object> data : Arrays.asList(server, client)) {
      assertThat(data)
          .containsEntry("rpc.response.status_code", "FAILED_PRECONDITION")
          .containsEntry("grpc.error.reason", "CARD_DECLINED")
          .containsEntry("grpc.error.domain", DOMAIN)
          .containsEntry("grpc.error.field_violations", Arrays.asList("card.number", "card.cvc"))
          .containsEntry("grpc.error.resource_type", "shop.example/Card")
          .containsEntry("grpc.error.resource_name", "cards/4242")
          .containsEntry(
              "grpc.error.quota_subjects", Arrays.asList("project:shop", "clientip:[Filtered]"))
          .containsEntry("grpc.error.precondition_types", Arrays.asList("TOS"));
      assertThat(((Number) data.get("grpc.error.retry_delay_ms")).longValue()).isEqualTo(2_500);
    }
    // Span data is never where the protected parts go, PII or not.
    sentry.settle();
    String sent = sentry.rawText();
    assertThat(sent)
        .doesNotContain("insufficient_funds")
        .doesNotContain("PaymentProcessor.authorize")
        .doesNotContain("Ihre Karte")
        .doesNotContain("req-8c1f")
        .doesNotContain("alice@example.com")
        .doesNotContain("203.0.113.7")
        .doesNotContain("tok-s3cr3t");
  }

  @Test
  void aServerStreamThatFailsWithDetailsAfterItsMessagesGetsThemToo() throws Exception {
    sentry = SentryRecorder.init();
    try (TestServer server = server(TestServer.Transport.NETTY, SentryGrpcOptions.defaults())) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(everyDetail("OUT_OF_STOCK"));
      assertCallFailsWith(
          Status.Code.FAILED_PRECONDITION,
          () ->
              server
                  .blocking()
                  .serverStream(
                      dev.sentrygrpc.testservice.EchoRequest.newBuilder()
                          .setMessage("rich")
                          .setCount(3)
                          .build())
                  .forEachRemaining(reply -> {}));
    }
    Map<String, Object> data =
        ServerInterceptorTest.dataOf(
            sentry.awaitTransactions(1), "sentrygrpc.test.EchoService/ServerStream");
    assertThat(data).containsEntry("grpc.error.reason", "OUT_OF_STOCK");
  }

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void okCallsAndFailuresWithoutDetailsGetNoErrorData(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.NOT_FOUND).build();
    try (TestServer server = server(transport, options);
        Caller caller = new Caller()) {
      server.blocking().unary(request("ok"));
      assertCallFailsWith(Status.Code.NOT_FOUND, () -> server.blocking().unary(request("status:NOT_FOUND")));
      caller.finish();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(3);
    SentryEvent event = sentry.awaitEvents(1).get(0);
    for (SentryTransaction transaction : transactions) {
      assertNoErrorData(transaction.getContexts().getTrace().getData());
      for (SentrySpan span : transaction.getSpans()) {
        assertNoErrorData(span.getData());
      }
    }
    assertThat(context(event, "grpc.client")).doesNotContainKey("error_details");
    // Without a reason, one issue per method and code.
    assertThat(event.getFingerprints()).containsExactly("grpc.client", UNARY, "NOT_FOUND");
  }

  // ---- events and data protection ----

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aServerEventCarriesTheDetailsAndTheProtectedPartsOnlyUnderPii(boolean pii)
      throws Exception {
    sentry = SentryRecorder.init(options -> {
      options.setTracesSampleRate(1.0);
      options.setSendDefaultPii(pii);
    });
    try (TestServer server = server(TestServer.Transport.IN_PROCESS, SentryGrpcOptions.defaults())) {
      // INTERNAL with a cause: a captured code, so the server sends an event.
      com.google.rpc.Status rich = everyDetail("LEDGER_UNAVAILABLE").toBuilder().setCode(13).build();
      server.service.richFailure =
          Status.INTERNAL
              .withDescription("ledger down")
              .withCause(new IOException("ledger connection reset"))
              .asRuntimeException(StatusProto.toStatusRuntimeException(rich).getTrailers());
      assertCallFailsWith(Status.Code.INTERNAL, () -> server.blocking().unary(request("rich")));
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    Map<String, Object> grpc = context(event, "grpc");
    assertThat(grpc).containsEntry("status_code", "INTERNAL");
    Map<String, Object> details = details(event, "grpc");
    assertThat(details)
        .containsEntry("reason", "LEDGER_UNAVAILABLE")
        .containsEntry("domain", DOMAIN)
        .containsKeys("field_violations", "quota_violations", "precondition_violations", "help_links");
    assertThat(((Number) details.get("retry_delay_ms")).longValue()).isEqualTo(2_500);
    assertThat(details.get("field_violations").toString())
        .contains("card.number")
        .contains("must be 16 digits");
    assertProtectedParts(details, pii, pii);
    // Sensitive keys never go, whatever the settings.
    assertThat(sentry.rawText()).doesNotContain("tok-s3cr3t").doesNotContain("auth_token");
  }

  @Test
  void withTracingOffTheServerEventStillCarriesTheDetails() throws Exception {
    sentry = SentryRecorder.init(options -> {});
    try (TestServer server = server(TestServer.Transport.NETTY, SentryGrpcOptions.defaults())) {
      server.service.richFailure =
          Status.INTERNAL
              .withCause(new IOException("ledger connection reset"))
              .asRuntimeException(
                  StatusProto.toStatusRuntimeException(everyDetail("LEDGER_UNAVAILABLE")).getTrailers());
      assertCallFailsWith(Status.Code.INTERNAL, () -> server.blocking().unary(request("rich")));
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    assertThat(details(event, "grpc")).containsEntry("reason", "LEDGER_UNAVAILABLE");
    sentry.settle();
    assertThat(sentry.transactions()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void aClientEventShowsTheRemoteDebugInfoReadablyUnderPii(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init(options -> {
      options.setTracesSampleRate(1.0);
      options.setSendDefaultPii(true);
    });
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.FAILED_PRECONDITION).build();
    try (TestServer server = server(transport, options)) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(everyDetail("CARD_DECLINED"));
      assertCallFailsWith(Status.Code.FAILED_PRECONDITION, () -> server.blocking().unary(request("rich")));
    }
    SentryEvent event = sentry.awaitEvents(1).get(0);
    Map<String, Object> details = details(event, "grpc.client");
    assertThat(details).containsEntry("reason", "CARD_DECLINED").containsEntry("domain", DOMAIN);
    @SuppressWarnings("unchecked")
    Map<String, Object> debug = (Map<String, Object>) details.get("debug_info");
    assertThat(debug)
        .containsEntry("detail", "authorize() got no authorization code")
        .containsEntry(
            "stack_entries",
            Arrays.asList(
                "java.lang.IllegalStateException: no authorization code",
                "\tat shop.payments.PaymentProcessor.authorize(PaymentProcessor.java:42)",
                "\tat shop.payments.PaymentService.charge(PaymentService.java:17)"));
    assertThat(details.get("localized_message").toString()).contains("Ihre Karte wurde abgelehnt");
    assertThat(details.get("quota_violations").toString()).contains("clientip:203.0.113.7");
    assertThat(event.getFingerprints())
        .containsExactly("grpc.client", UNARY, "FAILED_PRECONDITION", DOMAIN, "CARD_DECLINED");
  }

  @Test
  void listedPartsAreSentWithoutPiiAndTheOthersAreMarkedFiltered() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .capturedClientStatusCodes(Status.Code.FAILED_PRECONDITION)
            .capturedErrorDetails("DebugInfo", "errorinfo.METADATA")
            .build();
    try (TestServer server = server(TestServer.Transport.IN_PROCESS, options)) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(everyDetail("CARD_DECLINED"));
      assertCallFailsWith(Status.Code.FAILED_PRECONDITION, () -> server.blocking().unary(request("rich")));
    }
    Map<String, Object> details = details(sentry.awaitEvents(1).get(0), "grpc.client");
    assertThat(details.get("debug_info")).isInstanceOf(Map.class);
    assertThat(details.get("metadata")).isEqualTo(singletonMap("decline_code", "insufficient_funds"));
    assertThat(details)
        .containsEntry("localized_message", "[Filtered]")
        .containsEntry("request_info", "[Filtered]");
    assertThat(details.get("resource").toString()).contains("owner=[Filtered]");
    // The caller's address is never listable: only sendDefaultPii sends it.
    assertThat(details.get("quota_violations").toString())
        .contains("clientip:[Filtered]")
        .doesNotContain("203.0.113.7");
  }

  // ---- grouping ----

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void clientFailureEventsGroupByMethodCodeAndReason(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .capturedClientStatusCodes(Status.Code.FAILED_PRECONDITION, Status.Code.UNAVAILABLE)
            .build();
    try (TestServer server = server(transport, options)) {
      for (String reason : Arrays.asList("CARD_DECLINED", "CARD_DECLINED", "CARD_DECLINED", "CARD_EXPIRED")) {
        server.service.richFailure = StatusProto.toStatusRuntimeException(everyDetail(reason));
        assertCallFailsWith(Status.Code.FAILED_PRECONDITION, () -> server.blocking().unary(request("rich")));
      }
      server.service.richFailure =
          StatusProto.toStatusRuntimeException(
              everyDetail("CARD_DECLINED").toBuilder().setCode(Status.Code.UNAVAILABLE.value()).build());
      assertCallFailsWith(Status.Code.UNAVAILABLE, () -> server.blocking().unary(request("rich")));
      assertCallFailsWith(
          Status.Code.FAILED_PRECONDITION,
          () -> server.blocking().unary(request("status:FAILED_PRECONDITION")));
    }
    List<SentryEvent> events = sentry.awaitEvents(6);
    List<List<String>> fingerprints = new ArrayList<>();
    for (SentryEvent event : events) {
      fingerprints.add(event.getFingerprints());
    }
    List<String> declined = Arrays.asList("grpc.client", UNARY, "FAILED_PRECONDITION", DOMAIN, "CARD_DECLINED");
    assertThat(fingerprints)
        .containsExactlyInAnyOrder(
            declined,
            declined,
            declined,
            Arrays.asList("grpc.client", UNARY, "FAILED_PRECONDITION", DOMAIN, "CARD_EXPIRED"),
            Arrays.asList("grpc.client", UNARY, "UNAVAILABLE", DOMAIN, "CARD_DECLINED"),
            Arrays.asList("grpc.client", UNARY, "FAILED_PRECONDITION"));
    // Three issues for FAILED_PRECONDITION on this method, one for UNAVAILABLE.
    assertThat(new HashSet<>(fingerprints)).hasSize(4);
  }

  // ---- thrown statuses ----

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aThrownStatusHasDetailsOnlyWhenSomethingOutsideSendsThem(boolean translatorOutside)
      throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        translatorOutside
            ? SentryGrpcOptions.builder().exceptionStatus(Status::fromThrowable).build()
            : SentryGrpcOptions.defaults();
    ServerInterceptor sentryServer = new SentryServerInterceptor(options);
    TestServer.Builder builder = TestServer.builder();
    if (translatorOutside) {
      builder.serverInterceptors(sentryServer, new TranslatingInterceptor());
    } else {
      builder.serverInterceptors(sentryServer);
    }
    try (TestServer server = builder.start()) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(everyDetail("CARD_DECLINED"));
      StatusRuntimeException failure =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> server.blocking().unary(request("rich-throw")));
      if (translatorOutside) {
        assertThat(StatusProto.fromThrowable(failure).getDetailsCount()).isGreaterThan(0);
      } else {
        // grpc-java alone answers a thrown exception with UNKNOWN and no trailers.
        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(failure.getTrailers().containsKey(ErrorDetailsReader.KEY)).isFalse();
      }
    }
    Map<String, Object> data = ServerInterceptorTest.dataOf(sentry.awaitTransactions(1), UNARY);
    if (translatorOutside) {
      assertThat(data)
          .containsEntry("rpc.response.status_code", "FAILED_PRECONDITION")
          .containsEntry("grpc.error.reason", "CARD_DECLINED");
    } else {
      assertThat(data).containsEntry("rpc.response.status_code", "UNKNOWN");
      assertNoErrorData(data);
    }
  }

  // ---- hostile and oversized trailers ----

  @ParameterizedTest
  @EnumSource(TestServer.Transport.class)
  void aMalformedDetailsTrailerFailsNothingAndGivesNoDetails(TestServer.Transport transport)
      throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.ABORTED).build();
    byte[][] garbage = {
      {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
      {0x1a, 0x7f, 0x0a}, // a details field longer than the message
      "not a protobuf at all".getBytes("UTF-8"),
    };
    try (TestServer server = server(transport, options);
        Caller caller = new Caller()) {
      for (byte[] bytes : garbage) {
        Metadata trailers = new Metadata();
        trailers.put(ErrorDetailsReader.KEY, bytes);
        server.service.richFailure = Status.ABORTED.withDescription("garbage").asRuntimeException(trailers);
        StatusRuntimeException failure =
            catchThrowableOfType(
                StatusRuntimeException.class, () -> server.blocking().unary(request("rich")));
        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(failure.getTrailers().get(ErrorDetailsReader.KEY)).isEqualTo(bytes);
      }
      caller.finish();
    }
    List<SentryTransaction> transactions = sentry.awaitTransactions(1 + garbage.length);
    List<SentryEvent> events = sentry.awaitEvents(garbage.length);
    for (SentryTransaction transaction : transactions) {
      assertNoErrorData(transaction.getContexts().getTrace().getData());
      for (SentrySpan span : transaction.getSpans()) {
        assertNoErrorData(span.getData());
      }
    }
    for (SentryEvent event : events) {
      assertThat(context(event, "grpc.client")).doesNotContainKey("error_details");
    }
  }

  @Test
  void oneBrokenDetailCostsOnlyItselfAndUnknownTypesAreNamed() throws Exception {
    sentry = SentryRecorder.init();
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.ABORTED).build();
    com.google.rpc.Status rich =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.ABORTED.value())
            .addDetails(
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/google.rpc.BadRequest")
                    .setValue(com.google.protobuf.ByteString.copyFromUtf8("\u00ff\u00ff broken")))
            .addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/shop.CustomDetail"))
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("CONFLICT").setDomain(DOMAIN).build()))
            .build();
    try (TestServer server = server(TestServer.Transport.IN_PROCESS, options)) {
      server.service.richFailure = StatusProto.toStatusRuntimeException(rich);
      assertCallFailsWith(Status.Code.ABORTED, () -> server.blocking().unary(request("rich")));
    }
    Map<String, Object> details = details(sentry.awaitEvents(1).get(0), "grpc.client");
    assertThat(details)
        .containsEntry("reason", "CONFLICT")
        .containsEntry("other_types", Arrays.asList("shop.CustomDetail"))
        .containsEntry("unreadable_details", 1);
  }

  @Test
  void hugeDetailsAreBoundedInCountAndSize() throws Exception {
    sentry = SentryRecorder.init(options -> {
      options.setTracesSampleRate(1.0);
      options.setSendDefaultPii(true);
    });
    SentryGrpcOptions options =
        SentryGrpcOptions.builder().capturedClientStatusCodes(Status.Code.INVALID_ARGUMENT).build();
    String longText = repeat('x', 5_000);
    String line = repeat('y', 200);
    BadRequest.Builder badRequest = BadRequest.newBuilder();
    for (int i = 0; i < 500; i++) {
      badRequest.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField("field" + i + longText).setDescription(longText));
    }
    DebugInfo.Builder debug = DebugInfo.newBuilder().setDetail(longText);
    for (int i = 0; i < 200; i++) {
      debug.addStackEntries("\tat frame" + i + line);
    }
    com.google.rpc.Status.Builder rich =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INVALID_ARGUMENT.value())
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(longText).setDomain(DOMAIN).build()))
            .addDetails(Any.pack(debug.build()));
    // Bounded in bytes first: a status over 64 KiB is not read at all.
    assertThat(rich.build().getSerializedSize()).isLessThan(ErrorDetailsReader.MAX_BYTES);
    com.google.rpc.Status fits = rich.build();
    com.google.rpc.Status tooBig = rich.addDetails(Any.pack(badRequest.build())).build();
    assertThat(tooBig.getSerializedSize()).isGreaterThan(ErrorDetailsReader.MAX_BYTES);
    try (TestServer server = server(TestServer.Transport.IN_PROCESS, options);
        Caller caller = new Caller()) {
      for (com.google.rpc.Status status : Arrays.asList(fits, tooBig)) {
        server.service.richFailure = StatusProto.toStatusRuntimeException(status);
        assertCallFailsWith(Status.Code.INVALID_ARGUMENT, () -> server.blocking().unary(request("rich")));
      }
      caller.finish();
    }
    List<SentryEvent> events = sentry.awaitEvents(2);
    Map<String, Object> details = null;
    int without = 0;
    for (SentryEvent event : events) {
      Map<String, Object> grpc = context(event, "grpc.client");
      if (grpc.containsKey("error_details")) {
        details = details(event, "grpc.client");
      } else {
        without++;
      }
    }
    assertThat(without).as("the status over 64 KiB is not read").isEqualTo(1);
    assertThat(details).isNotNull().containsEntry("truncated", true);
    assertThat((String) details.get("reason")).hasSize(ErrorDetailsParser.MAX_NAME).endsWith("...");
    @SuppressWarnings("unchecked")
    Map<String, Object> debugInfo = (Map<String, Object>) details.get("debug_info");
    assertThat((String) debugInfo.get("detail")).hasSize(ErrorDetailsParser.MAX_TEXT);
    @SuppressWarnings("unchecked")
    List<String> stack = (List<String>) debugInfo.get("stack_entries");
    assertThat(stack.size()).isLessThanOrEqualTo(ErrorDetailsParser.MAX_STACK_ENTRIES);
    assertThat(stack).allSatisfy(entry -> assertThat(entry.length()).isLessThanOrEqualTo(ErrorDetailsParser.MAX_TEXT));
    int characters = details.toString().length();
    assertThat(characters).isLessThan(ErrorDetailsParser.MAX_TOTAL + 2_000);

    // Lists are bounded too: 500 violations, 20 sent.
    sentry.close();
    sentry = SentryRecorder.init();
    try (TestServer server = server(TestServer.Transport.IN_PROCESS, options)) {
      BadRequest.Builder many = BadRequest.newBuilder();
      for (int i = 0; i < 500; i++) {
        many.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("f" + i));
      }
      server.service.richFailure =
          StatusProto.toStatusRuntimeException(
              com.google.rpc.Status.newBuilder()
                  .setCode(Status.Code.INVALID_ARGUMENT.value())
                  .addDetails(Any.pack(many.build()))
                  .build());
      assertCallFailsWith(Status.Code.INVALID_ARGUMENT, () -> server.blocking().unary(request("rich")));
    }
    Map<String, Object> listed = details(sentry.awaitEvents(1).get(0), "grpc.client");
    assertThat((List<?>) listed.get("field_violations")).hasSize(ErrorDetailsParser.MAX_ITEMS);
    assertThat(listed).containsEntry("truncated", true);
  }

  // ---- options ----

  @Test
  void capturedErrorDetailsDefaultsToNoneAndIsCopiedByToBuilder() {
    assertThat(SentryGrpcOptions.defaults().capturedErrorDetails()).isEmpty();
    SentryGrpcOptions listed =
        SentryGrpcOptions.builder().capturedErrorDetails("debuginfo", "ResourceInfo.Owner").build();
    assertThat(listed.capturedErrorDetails()).containsExactly("DebugInfo", "ResourceInfo.owner");
    assertThat(listed.toBuilder().build().capturedErrorDetails())
        .containsExactly("DebugInfo", "ResourceInfo.owner");
    assertThat(listed.toString()).contains("capturedErrorDetails=[DebugInfo, ResourceInfo.owner]");
    assertThat(listed.toBuilder().capturedErrorDetails().build().capturedErrorDetails()).isEmpty();
    assertThatThrownBy(() -> listed.capturedErrorDetails().add("LocalizedMessage"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void capturedErrorDetailsRefusesWhatIsNoProtectedPart() {
    SentryGrpcOptions.Builder builder = SentryGrpcOptions.builder();
    assertThatThrownBy(() -> builder.capturedErrorDetails("ErrorInfo.reason"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capturedErrorDetails")
        .hasMessageContaining("ErrorInfo.reason")
        .hasMessageContaining("DebugInfo");
    assertThatThrownBy(() -> builder.capturedErrorDetails((String[]) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.capturedErrorDetails("DebugInfo", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void protobufIsDetectedOnThisClassPath() {
    assertThat(ErrorDetailsReader.available()).isTrue();
  }

  // ---- helpers ----

  /** Every detail type google.rpc defines, one each, plus a sensitive ErrorInfo metadata key. */
  static com.google.rpc.Status everyDetail(String reason) {
    return com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage("card declined")
        .addDetails(
            Any.pack(
                ErrorInfo.newBuilder()
                    .setReason(reason)
                    .setDomain(DOMAIN)
                    .putMetadata("decline_code", "insufficient_funds")
                    .putMetadata("auth_token", "tok-s3cr3t")
                    .build()))
        .addDetails(
            Any.pack(
                BadRequest.newBuilder()
                    .addFieldViolations(
                        BadRequest.FieldViolation.newBuilder()
                            .setField("card.number")
                            .setDescription("must be 16 digits"))
                    .addFieldViolations(
                        BadRequest.FieldViolation.newBuilder().setField("card.cvc"))
                    .build()))
        .addDetails(
            Any.pack(
                RetryInfo.newBuilder()
                    .setRetryDelay(Duration.newBuilder().setSeconds(2).setNanos(500_000_000))
                    .build()))
        .addDetails(
            Any.pack(
                ResourceInfo.newBuilder()
                    .setResourceType("shop.example/Card")
                    .setResourceName("cards/4242")
                    .setOwner("user:alice@example.com")
                    .setDescription("the card on file")
                    .build()))
        .addDetails(
            Any.pack(
                QuotaFailure.newBuilder()
                    .addViolations(
                        QuotaFailure.Violation.newBuilder()
                            .setSubject("project:shop")
                            .setDescription("daily charge limit"))
                    .addViolations(
                        QuotaFailure.Violation.newBuilder().setSubject("clientip:203.0.113.7"))
                    .build()))
        .addDetails(
            Any.pack(
                PreconditionFailure.newBuilder()
                    .addViolations(
                        PreconditionFailure.Violation.newBuilder()
                            .setType("TOS")
                            .setSubject("shop.example/terms")
                            .setDescription("terms not accepted"))
                    .build()))
        .addDetails(
            Any.pack(
                Help.newBuilder()
                    .addLinks(
                        Help.Link.newBuilder()
                            .setDescription("declines")
                            .setUrl("https://shop.example/help/declines"))
                    .build()))
        .addDetails(
            Any.pack(
                LocalizedMessage.newBuilder()
                    .setLocale("de-DE")
                    .setMessage("Ihre Karte wurde abgelehnt")
                    .build()))
        .addDetails(
            Any.pack(
                RequestInfo.newBuilder().setRequestId("req-8c1f").setServingData("pod-7").build()))
        .addDetails(
            Any.pack(
                DebugInfo.newBuilder()
                    .addStackEntries("java.lang.IllegalStateException: no authorization code")
                    .addStackEntries(
                        "\tat shop.payments.PaymentProcessor.authorize(PaymentProcessor.java:42)")
                    .addStackEntries("\tat shop.payments.PaymentService.charge(PaymentService.java:17)")
                    .setDetail("authorize() got no authorization code")
                    .build()))
        .build();
  }

  /** What {@link #everyDetail} protects, sent or marked filtered as the settings say. */
  private static void assertProtectedParts(
      Map<String, Object> details, boolean sent, boolean clientIpSent) {
    String all = details.toString();
    if (sent) {
      assertThat(details.get("metadata")).isEqualTo(singletonMap("decline_code", "insufficient_funds"));
      assertThat(details.get("debug_info").toString())
          .contains("PaymentProcessor.authorize")
          .contains("authorize() got no authorization code");
      assertThat(details.get("localized_message").toString()).contains("Ihre Karte wurde abgelehnt");
      assertThat(details.get("request_info").toString()).contains("req-8c1f").contains("pod-7");
      assertThat(details.get("resource").toString()).contains("alice@example.com");
    } else {
      assertThat(details)
          .containsEntry("metadata", "[Filtered]")
          .containsEntry("debug_info", "[Filtered]")
          .containsEntry("localized_message", "[Filtered]")
          .containsEntry("request_info", "[Filtered]");
      assertThat(all)
          .doesNotContain("insufficient_funds")
          .doesNotContain("PaymentProcessor")
          .doesNotContain("alice@example.com");
    }
    if (clientIpSent) {
      assertThat(all).contains("clientip:203.0.113.7");
    } else {
      assertThat(all).contains("clientip:[Filtered]").doesNotContain("203.0.113.7");
    }
  }

  private static void assertNoErrorData(Map<String, Object> data) {
    if (data == null) {
      return;
    }
    assertThat(data.keySet()).noneMatch(key -> key.startsWith("grpc.error."));
  }

  private TestServer server(TestServer.Transport transport, SentryGrpcOptions options) {
    return TestServer.builder()
        .transport(transport)
        .serverInterceptors(new SentryServerInterceptor(options))
        .clientInterceptors(new SentryClientInterceptor(options))
        .start();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> context(SentryEvent event, String name) {
    Object context = event.getContexts().get(name);
    assertThat(context).as(name + " context").isInstanceOf(Map.class);
    return (Map<String, Object>) context;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> details(SentryEvent event, String context) {
    Object details = context(event, context).get("error_details");
    assertThat(details).as("error_details in " + context).isInstanceOf(Map.class);
    return (Map<String, Object>) details;
  }

  private static SentrySpan clientSpan(List<SentryTransaction> transactions) {
    for (SentryTransaction transaction : transactions) {
      for (SentrySpan span : transaction.getSpans()) {
        if ("grpc.client".equals(span.getOp())) {
          return span;
        }
      }
    }
    throw new AssertionError("no grpc.client span in " + SentryRecorder.names(transactions));
  }

  private static Map<String, String> singletonMap(String key, String value) {
    return java.util.Collections.singletonMap(key, value);
  }

  private static String repeat(char c, int times) {
    char[] chars = new char[times];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  /** The caller's own transaction, bound to its scopes: client calls become its child spans. */
  static final class Caller implements AutoCloseable {
    final IScopes scopes = Sentry.forkedRootScopes("error-details-test");
    private final ISentryLifecycleToken token = scopes.makeCurrent();
    final ITransaction transaction;

    Caller() {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      transaction = Sentry.startTransaction(new TransactionContext("caller", "task"), bound);
    }

    void finish() {
      transaction.finish();
    }

    @Override
    public void close() {
      token.close();
    }
  }

  /**
   * What an exception handler outside the Sentry interceptor does (Spring gRPC's, grpc-java's
   * TransmitStatusRuntimeExceptionInterceptor): answers a thrown status with its own trailers.
   */
  private static final class TranslatingInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
          next.startCall(call, headers)) {
        @Override
        public void onHalfClose() {
          try {
            super.onHalfClose();
          } catch (StatusRuntimeException e) {
            Metadata trailers = Status.trailersFromThrowable(e);
            call.close(e.getStatus(), trailers != null ? trailers : new Metadata());
          }
        }
      };
    }
  }
}

package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.shop.ChargeReply;
import dev.sentrygrpc.demo.shop.ChargeRequest;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.sentrygrpc.demo.shop.PaymentServiceGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.sentry.ISpan;
import io.sentry.SpanStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Charges cards through a (simulated) card processor. Three test cards misbehave on purpose: one
 * hits a bug in the processor client (an uncaught exception the server interceptor captures),
 * one is slow enough that OrderService's deadline passes first, and one is declined by its
 * issuer, which this service answers in Google's rich error model: {@code FAILED_PRECONDITION}
 * with an {@code ErrorInfo} (reason {@code CARD_DECLINED}, domain {@code payments.shop.example})
 * in the {@code grpc-status-details-bin} trailer, as {@code StatusProto} writes it.
 */
final class PaymentServiceImpl extends PaymentServiceGrpc.PaymentServiceImplBase {

  /** How long the processor would take for the slow card: well past OrderService's deadline. */
  static final long SLOW_PROCESSOR_MILLIS = 3_000;

  private final AtomicInteger payments = new AtomicInteger();

  @Override
  public void charge(ChargeRequest request, StreamObserver<ChargeReply> responses) {
    SimulatedWork.dbQuery("SELECT token FROM cards WHERE last4 = ?", 2);

    ISpan processor =
        SimulatedWork.startChild("http.client", "POST https://processor.invalid/v1/authorize");
    String authorization;
    try {
      authorization = authorize(request);
      // null: the caller's deadline passed while the processor was busy.
      processor.setStatus(authorization != null ? SpanStatus.OK : SpanStatus.CANCELLED);
    } catch (RuntimeException e) {
      processor.setThrowable(e);
      processor.setStatus(SpanStatus.INTERNAL_ERROR);
      // Rethrown on purpose: this is the bug the demo shows Sentry catching.
      throw e;
    } finally {
      processor.finish();
    }
    if (authorization == null) {
      // Nobody waits for an answer any more: stop here. The interceptor records the call as
      // deadline_exceeded when grpc-java reports the cancellation.
      return;
    }
    if (authorization.equals(DECLINED)) {
      // An expected answer, machine-readable: callers branch on the reason, and Sentry shows it.
      responses.onError(StatusProto.toStatusRuntimeException(declined()));
      return;
    }
    SimulatedWork.dbQuery("INSERT INTO payments (order_id, authorization) VALUES (?, ?)", 2);
    responses.onNext(
        ChargeReply.newBuilder().setPaymentId("pay-" + payments.incrementAndGet()).build());
    responses.onCompleted();
  }

  static final String REASON_DECLINED = "CARD_DECLINED";
  static final String DOMAIN = "payments.shop.example";
  private static final String DECLINED = "declined";

  private static com.google.rpc.Status declined() {
    return com.google.rpc.Status.newBuilder()
        .setCode(Code.FAILED_PRECONDITION.getNumber())
        .setMessage("card declined by its issuer")
        .addDetails(
            Any.pack(
                ErrorInfo.newBuilder()
                    .setReason(REASON_DECLINED)
                    .setDomain(DOMAIN)
                    // Sent to Sentry only with sendDefaultPii (or capturedErrorDetails).
                    .putMetadata("decline_code", "insufficient_funds")
                    .build()))
        .build();
  }

  /** The processor call; null when the gRPC call was cancelled before it answered. */
  private static String authorize(ChargeRequest request) {
    if (Catalog.SLOW_CARD.equals(request.getCard())) {
      return SimulatedWork.workUnlessCancelled(SLOW_PROCESSOR_MILLIS) ? "auth-slow" : null;
    }
    SimulatedWork.sleep(8);
    if (Catalog.DECLINED_CARD.equals(request.getCard())) {
      return DECLINED;
    }
    ProcessorResponse response = ProcessorResponse.parse(request.getCard());
    return response.authorizationCode();
  }

  /** The processor's answer, as the (buggy) client library parses it. */
  private record ProcessorResponse(String authorizationCode) {
    static ProcessorResponse parse(String card) {
      String code = Catalog.BUGGY_CARD.equals(card) ? null : "auth-" + Catalog.lastDigits(card);
      if (code == null) {
        // The bug: 3-D Secure answers carry no authorization code, and this client assumes one.
        throw new IllegalStateException(
            "processor response has no authorization_code (3-D Secure challenge not handled)");
      }
      return new ProcessorResponse(code);
    }
  }
}

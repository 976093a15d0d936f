package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Tracer;
import io.sentry.ISpan;
import io.sentry.Sentry;

/**
 * The front service of the load benchmark. Its unary method is what a small real handler does: some
 * CPU work inside a span of its own, then a call to a second instrumented service, answered when
 * that call returns (asynchronously: no thread waits). Its server-streaming method sends {@code
 * count} replies at once.
 */
final class LoadService extends EchoServiceGrpc.EchoServiceImplBase {
  /**
   * Rounds of the CPU work per unary call: {@code -Dsentrygrpc.load.workRounds}, by default 15,000
   * (~40 µs on the machine of BENCHMARKS.md: a small handler's own work, next to which gRPC's
   * and the instrumentation's per-call CPU are not negligible).
   */
  static final int WORK_ROUNDS = Integer.getInteger("sentrygrpc.load.workRounds", 15_000);

  private static final byte[] DATA = new byte[1024];

  static {
    for (int i = 0; i < DATA.length; i++) {
      DATA[i] = (byte) (i * 31 + 7);
    }
  }

  private final EchoServiceGrpc.EchoServiceStub downstream;
  private final Tracer otel;

  /** {@code otel}: the tracer of the handler's own span in the OpenTelemetry mode, else null. */
  LoadService(EchoServiceGrpc.EchoServiceStub downstream, Tracer otel) {
    this.downstream = downstream;
    this.otel = otel;
  }

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
    long checksum = workInASpan();
    EchoRequest next =
        EchoRequest.newBuilder().setMessage(Long.toHexString(checksum)).build();
    downstream.unary(
        next,
        new StreamObserver<EchoReply>() {
          private EchoReply reply;

          @Override
          public void onNext(EchoReply value) {
            reply = value;
          }

          @Override
          public void onError(Throwable t) {
            responses.onError(Status.fromThrowable(t).asRuntimeException());
          }

          @Override
          public void onCompleted() {
            responses.onNext(reply);
            responses.onCompleted();
          }
        });
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoReply> responses) {
    for (int i = 0; i < request.getCount(); i++) {
      responses.onNext(EchoReply.newBuilder().setMessage(request.getMessage()).setIndex(i).build());
    }
    responses.onCompleted();
  }

  private long workInASpan() {
    if (otel != null) {
      io.opentelemetry.api.trace.Span span = otel.spanBuilder("work").startSpan();
      try (io.opentelemetry.context.Scope ignored = span.makeCurrent()) {
        return work();
      } finally {
        span.end();
      }
    }
    ISpan parent = Sentry.getSpan(); // null without a transaction (errors-only, none)
    ISpan span = parent != null ? parent.startChild("work", "checksum") : null;
    try {
      return work();
    } finally {
      if (span != null) {
        span.finish();
      }
    }
  }

  /** CPU work the JIT cannot drop: a multiplicative hash over 1 KB, {@link #WORK_ROUNDS} times. */
  static long work() {
    long hash = 1125899906842597L;
    for (int round = 0; round < WORK_ROUNDS; round++) {
      int i = round & (DATA.length - 1);
      hash = 31 * hash + DATA[i];
      hash ^= hash >>> 17;
    }
    return hash;
  }
}

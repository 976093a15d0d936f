package dev.sentrygrpc.benchmarks;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * One failing unary call per op, in-process, as {@link UnaryInProcess}: what reading rich error
 * details costs. {@code failure=plain} fails with {@code FAILED_PRECONDITION} and no details
 * trailer, the path every failure without details takes (a status check and a {@code
 * Metadata.containsKey}); {@code failure=details} adds a {@code google.rpc.Status} with an
 * ErrorInfo (reason, domain, one metadata entry), a BadRequest of two fields and a RetryInfo, as
 * a service following Google's error model sends, which both sides then parse (the client only
 * when it has a span to write on: in {@code sampled}). Compare with {@code UnaryInProcess.call}
 * for OK calls. No client events: {@code capturedClientStatusCodes} stays empty, as by default.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UnaryFailing extends EchoBenchmark {
  static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("ping").build();

  /** What the server answers: see the class comment. */
  @Param({"plain", "details"})
  public String failure;

  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @Override
  BindableService service() {
    return new FailingService("details".equals(failure));
  }

  @Override
  void connected(Channel client) {
    stub = EchoServiceGrpc.newBlockingStub(client);
  }

  @Benchmark
  public Status call() {
    try {
      stub.unary(REQUEST);
    } catch (StatusRuntimeException e) {
      rig.afterCall();
      return e.getStatus();
    }
    throw new AssertionError("the call succeeded");
  }

  /** Fails every unary call, with or without details; built once, sent as grpc-java sends it. */
  static final class FailingService extends EchoServiceGrpc.EchoServiceImplBase {
    static final com.google.rpc.Status DETAILS =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage("card declined")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("CARD_DECLINED")
                        .setDomain("payments.shop.example")
                        .putMetadata("decline_code", "insufficient_funds")
                        .build()))
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("card.number"))
                        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("card.cvc"))
                        .build()))
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2))
                        .build()))
            .build();
    static final Status PLAIN = Status.FAILED_PRECONDITION.withDescription("card declined");

    private final boolean details;

    FailingService(boolean details) {
      this.details = details;
    }

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      // A new exception (and trailers) per call, as a service makes them.
      responseObserver.onError(
          details ? StatusProto.toStatusRuntimeException(DETAILS) : PLAIN.asRuntimeException());
    }
  }
}

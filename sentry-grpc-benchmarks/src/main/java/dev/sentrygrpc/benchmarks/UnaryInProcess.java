package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Channel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * One unary call per op on the in-process transport, client and server on direct executors: the
 * whole call runs on the benchmark thread, so the time is gRPC's own CPU work plus the
 * instrumentation's, with no thread hand-offs (like grpc-java's own TransportBenchmark).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UnaryInProcess extends EchoBenchmark {
  static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("ping").build();

  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @Override
  void connected(Channel client) {
    stub = EchoServiceGrpc.newBlockingStub(client);
  }

  @Benchmark
  public EchoReply call() {
    EchoReply reply = stub.unary(REQUEST);
    rig.afterCall();
    return reply;
  }
}

package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Channel;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * One server-streaming call of {@value #MESSAGES} replies per op, in-process, direct executors,
 * read with the blocking stub's iterator: the per-message cost of the instrumentation against
 * gRPC's own per-message work, plus one call's fixed cost spread over 1,000 messages.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServerStream extends EchoBenchmark {
  static final int MESSAGES = 1000;
  static final EchoRequest REQUEST =
      EchoRequest.newBuilder().setMessage("stream").setCount(MESSAGES).build();

  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @Override
  void connected(Channel client) {
    stub = EchoServiceGrpc.newBlockingStub(client);
  }

  @Benchmark
  public int call() {
    Iterator<EchoReply> replies = stub.serverStream(REQUEST);
    int received = 0;
    while (replies.hasNext()) {
      replies.next();
      received++;
    }
    if (received != MESSAGES) {
      throw new IllegalStateException("received " + received + " replies");
    }
    rig.afterCall();
    return received;
  }
}

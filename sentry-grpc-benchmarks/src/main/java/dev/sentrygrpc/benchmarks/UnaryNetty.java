package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Channel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * One unary call per op over Netty on 127.0.0.1 (plaintext HTTP/2, one connection): a real
 * transport, with its event-loop threads. The server runs the handler on its event loop
 * (directExecutor: the echo handler never blocks); the client is a blocking stub.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UnaryNetty extends EchoBenchmark {
  private EchoServiceGrpc.EchoServiceBlockingStub stub;

  @Override
  Transport transport() {
    return Transport.NETTY_LOOPBACK;
  }

  @Override
  void connected(Channel client) {
    stub = EchoServiceGrpc.newBlockingStub(client);
  }

  @Benchmark
  public EchoReply call() {
    EchoReply reply = stub.unary(UnaryInProcess.REQUEST);
    rig.afterCall();
    return reply;
  }
}

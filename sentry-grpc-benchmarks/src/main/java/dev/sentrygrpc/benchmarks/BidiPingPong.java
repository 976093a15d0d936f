package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Ping-pong on ONE open bidi stream, in-process, direct executors: per op the client sends one
 * message and the server answers with one. The stream is opened in setup and closed in teardown,
 * so this measures the instrumentation's per-message cost on a long-lived stream (the per-call cost
 * is the unary benchmarks' business). With direct executors the reply arrives before onNext
 * returns; the op checks that it did.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BidiPingPong extends EchoBenchmark {
  static final EchoRequest PING = EchoRequest.newBuilder().setMessage("ping").build();

  private StreamObserver<EchoRequest> pings;
  private volatile long pongs;
  private final CountDownLatch completed = new CountDownLatch(1);

  @Override
  void connected(Channel client) {
    rig.enterCallerThread(); // the stream's client span is a child of the caller's span
    pings =
        EchoServiceGrpc.newStub(client)
            .bidi(
                new StreamObserver<EchoReply>() {
                  @Override
                  public void onNext(EchoReply value) {
                    pongs++; // one writer: the thread that sent the ping
                  }

                  @Override
                  public void onError(Throwable t) {
                    completed.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    completed.countDown();
                  }
                });
  }

  @Benchmark
  public long pingPong() {
    long before = pongs;
    pings.onNext(PING);
    long after = pongs;
    if (after == before) {
      throw new IllegalStateException("the reply did not arrive within onNext");
    }
    return after;
  }

  @Override
  void disconnecting() throws InterruptedException {
    pings.onCompleted();
    completed.await(5, TimeUnit.SECONDS);
    System.out.println("[" + getClass().getSimpleName() + "] pongs=" + pongs);
  }
}

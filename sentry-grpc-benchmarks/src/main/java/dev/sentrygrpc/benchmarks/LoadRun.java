package dev.sentrygrpc.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Tracer;
import io.sentry.Sentry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One JVM of the load benchmark ({@link LoadBenchmark} starts it): one mode, the two instrumented
 * services on Netty (loopback), and an uninstrumented caller, as an edge service's clients are.
 *
 * <ul>
 *   <li>{@code saturation}: mode {@code none}, a closed loop with {@value #SATURATION_IN_FLIGHT}
 *       calls in flight; prints {@code SATURATION <calls/s>}.
 *   <li>{@code run <mode> <rate,rate,...> <warm-up s> <seconds per rate>}: an open loop at each
 *       fixed rate in turn; prints one {@code RESULT} line per rate (the columns of {@link
 *       #COLUMNS}).
 * </ul>
 *
 * <p>Open loop: calls are sent at fixed intended times ({@code start + i / rate}) whatever happens
 * to earlier calls, and each latency is measured from its intended time, not from when it was sent,
 * so a generator that falls behind does not hide the delay (coordinated omission). One call in ten
 * is the server-streaming method (10 replies); the others the unary method.
 */
public final class LoadRun implements AutoCloseable {
  static final String COLUMNS =
      "mode\ttarget_rate\tachieved_rate\tcalls\terrors\tshed\tp50_us\tp90_us\tp99_us\tp999_us"
          + "\tmax_us\tstream_p99_us\tcpu_us_per_call\treceiver_cpu_us_per_call\talloc_kb_per_call"
          + "\tgc_count\tgc_pause_ms\tgc_max_pause_ms\ttransactions_finished\ttransactions_received"
          + "\ttransactions_lost\tclient_report_discarded";

  static final int SATURATION_IN_FLIGHT = 64;

  /** Beyond this many calls in flight the generator sheds arrivals (counted) instead of sending. */
  static final int MAX_IN_FLIGHT = 20_000;

  static final int STREAM_EVERY = 10;
  static final int STREAM_REPLIES = 10;

  static final LongAdder TRANSACTIONS_FINISHED = new LongAdder();

  private static final EchoRequest UNARY = EchoRequest.newBuilder().setMessage("order").build();
  private static final EchoRequest STREAM =
      EchoRequest.newBuilder().setMessage("item").setCount(STREAM_REPLIES).build();

  private final String mode;
  private final Rig rig;
  private final Server downstream;
  private final ManagedChannel toDownstream;
  private final Server front;
  private final ManagedChannel toFront;
  private final EchoServiceGrpc.EchoServiceStub caller;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Gc gc = new Gc();

  private LoadRun(String mode) throws Exception {
    this.mode = mode;
    Rig.extraOptions =
        options ->
            options.setBeforeSendTransaction(
                (transaction, hint) -> {
                  TRANSACTIONS_FINISHED.increment();
                  return transaction;
                });
    rig = Rig.create(rigMode(mode));
    downstream =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(rig.service(new EchoService()))
            .build()
            .start();
    toDownstream =
        NettyChannelBuilder.forAddress("127.0.0.1", downstream.getPort()).usePlaintext().build();
    Tracer tracer =
        rig.otel() != null ? rig.otel().getTracer("load-benchmark") : null;
    front =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                rig.service(
                    new LoadService(EchoServiceGrpc.newStub(rig.channel(toDownstream)), tracer)))
            .build()
            .start();
    toFront = NettyChannelBuilder.forAddress("127.0.0.1", front.getPort()).usePlaintext().build();
    caller = EchoServiceGrpc.newStub(toFront);
  }

  /** The {@link Rig} mode behind a load mode; the sampled ones differ in system properties. */
  static String rigMode(String mode) {
    return mode.startsWith("sampled-") ? Modes.SAMPLED_HTTP : mode;
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("saturation")) {
      int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
      try (LoadRun run = new LoadRun(Modes.NONE)) {
        run.closedLoop(seconds / 2 + 1); // warm-up
        System.out.println("SATURATION " + Math.round(run.closedLoop(seconds)));
      }
      return;
    }
    if (args.length != 5 || !args[0].equals("run")) {
      System.err.println("usage: LoadRun saturation [s] | run <mode> <rate,...> <warm-up s> <s>");
      System.exit(2);
    }
    String mode = args[1];
    List<Integer> rates = new ArrayList<>();
    for (String rate : args[2].split(",")) {
      rates.add(Integer.parseInt(rate));
    }
    int warmUp = Integer.parseInt(args[3]);
    int seconds = Integer.parseInt(args[4]);
    try (LoadRun run = new LoadRun(mode)) {
      // Warm-up at the middle rate: JIT, connections, the SDK's threads and the receiver's JIT;
      // not reported, and drained like every step.
      run.openLoop(rates.get(rates.size() / 2), warmUp);
      for (int rate : rates) {
        System.out.println("RESULT\t" + run.openLoop(rate, seconds));
        System.out.flush();
      }
      System.err.println("[load] " + mode + " " + run.rig.stats());
    }
  }

  /** Calls per second with {@link #SATURATION_IN_FLIGHT} calls always in flight. */
  private double closedLoop(int seconds) throws InterruptedException {
    AtomicLong completed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong counter = new AtomicLong();
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          if (System.nanoTime() >= end) {
            inFlight.decrementAndGet();
            return;
          }
          long i = counter.getAndIncrement();
          send(i % STREAM_EVERY == STREAM_EVERY - 1, () -> {
            completed.incrementAndGet();
            next[0].run();
          });
        };
    long start = System.nanoTime();
    for (int i = 0; i < SATURATION_IN_FLIGHT; i++) {
      inFlight.incrementAndGet();
      next[0].run();
    }
    awaitIdle();
    return completed.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** One fixed-rate step; returns its {@code RESULT} columns. */
  private String openLoop(int rate, int seconds) throws InterruptedException {
    Recorder unary = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    Recorder stream = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    LongAdder errors = new LongAdder();
    gc.takeMaxPauseMillis();
    long shed = 0;
    long sent = 0;
    Snapshot before = snapshot();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    long windowNanos = TimeUnit.SECONDS.toNanos(seconds);
    double periodNanos = 1e9 / rate;
    long lastSend = start;
    for (long i = 0; ; i++) {
      long intended = start + (long) (i * periodNanos);
      if (intended - start >= windowNanos) {
        break;
      }
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      if (inFlight.get() >= MAX_IN_FLIGHT) {
        shed++;
        continue;
      }
      inFlight.incrementAndGet();
      boolean isStream = i % STREAM_EVERY == STREAM_EVERY - 1;
      Recorder recorder = isStream ? stream : unary;
      send(
          isStream,
          () -> {
            recorder.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
            inFlight.decrementAndGet();
          },
          () -> {
            errors.increment();
            inFlight.decrementAndGet();
          });
      sent++;
      lastSend = System.nanoTime();
    }
    double achieved = sent / ((lastSend - start) / 1e9);
    awaitIdle();
    drainSentry();
    Snapshot after = snapshot();
    Histogram u = unary.getIntervalHistogram();
    Histogram s = stream.getIntervalHistogram();
    long calls = u.getTotalCount() + s.getTotalCount() + errors.sum();
    long finished = after.transactions - before.transactions;
    // Lost in this step: the growth of (finished - received) over the run, so that a backlog of
    // the step before that arrives during this one is not counted against it.
    long lost = (after.transactions - after.received) - (before.transactions - before.received);
    return String.join(
        "\t",
        mode,
        Integer.toString(rate),
        fmt(achieved),
        Long.toString(calls),
        Long.toString(errors.sum()),
        Long.toString(shed),
        Long.toString(u.getValueAtPercentile(50)),
        Long.toString(u.getValueAtPercentile(90)),
        Long.toString(u.getValueAtPercentile(99)),
        Long.toString(u.getValueAtPercentile(99.9)),
        Long.toString(u.getMaxValue()),
        Long.toString(s.getValueAtPercentile(99)),
        fmt((after.cpuNanos - before.cpuNanos) / 1000.0 / calls),
        before.receiverCpuNanos < 0
            ? "-"
            : fmt((after.receiverCpuNanos - before.receiverCpuNanos) / 1000.0 / calls),
        fmt((after.allocatedBytes - before.allocatedBytes) / 1024.0 / calls),
        Long.toString(after.gcCount - before.gcCount),
        Long.toString(after.gcPauseMillis - before.gcPauseMillis),
        Long.toString(gc.takeMaxPauseMillis()),
        Modes.usesSentry(rigMode(mode)) ? Long.toString(finished) : "-",
        rig.receiver() != null ? Long.toString(after.received - before.received) : "-",
        rig.receiver() != null ? Long.toString(lost) : "-",
        rig.receiver() != null ? after.discarded : "-");
  }

  private void send(boolean isStream, Runnable done) {
    send(isStream, done, done);
  }

  private void send(boolean isStream, Runnable ok, Runnable failed) {
    StreamObserver<EchoReply> replies =
        new StreamObserver<EchoReply>() {
          @Override
          public void onNext(EchoReply value) {}

          @Override
          public void onError(Throwable t) {
            failed.run();
          }

          @Override
          public void onCompleted() {
            ok.run();
          }
        };
    if (isStream) {
      caller.serverStream(STREAM, replies);
    } else {
      caller.unary(UNARY, replies);
    }
  }

  private void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /**
   * Lets the SDK send what the step queued, so that its sending counts in the step's CPU and the
   * next step starts with an empty queue: flush, then wait until the receiver has every finished
   * transaction or has received nothing more for 2 s (what is still missing then is lost).
   */
  private void drainSentry() throws InterruptedException {
    // A server transaction finishes just after its client got the answer (onComplete follows
    // close): let the last ones finish before counting.
    Thread.sleep(300);
    ReceiverProcess receiver = rig.receiver();
    if (receiver != null) {
      Sentry.flush(10_000);
      long last = -1;
      long lastChange = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        long received = received(receiver);
        if (received >= TRANSACTIONS_FINISHED.sum()) {
          break;
        }
        if (received != last) {
          last = received;
          lastChange = System.nanoTime();
        } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(2)) {
          break;
        }
        Thread.sleep(100);
      }
    }
    if (rig.otel() != null) {
      rig.otel().getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }
    Thread.sleep(200);
  }

  private Snapshot snapshot() {
    Snapshot snapshot = new Snapshot();
    snapshot.cpuNanos =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    snapshot.allocatedBytes =
        ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
            .getTotalThreadAllocatedBytes();
    snapshot.gcCount = gc.count.sum();
    snapshot.gcPauseMillis = gc.pauseMillis.sum();
    snapshot.transactions = TRANSACTIONS_FINISHED.sum();
    ReceiverProcess receiver = rig.receiver();
    snapshot.receiverCpuNanos = receiver != null ? receiver.cpuNanos() : -1;
    if (receiver != null) {
      try {
        String stats = receiver.command("stats");
        snapshot.received = Long.parseLong(field(stats, "transactions"));
        snapshot.discarded = field(stats, "discarded");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("receiver gone", e);
      }
    }
    return snapshot;
  }

  private static long received(ReceiverProcess receiver) {
    try {
      return Long.parseLong(field(receiver.command("stats"), "transactions"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("receiver gone", e);
    }
  }

  private static String field(String stats, String name) {
    for (String part : stats.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new IllegalStateException("no " + name + " in " + stats);
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  @Override
  public void close() throws InterruptedException {
    toFront.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    front.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    toDownstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    downstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    rig.close();
  }

  /** Counters at one moment; the step's numbers are differences. */
  private static final class Snapshot {
    long cpuNanos;
    long receiverCpuNanos;
    long allocatedBytes;
    long gcCount;
    long gcPauseMillis;
    long transactions;
    long received;
    String discarded = "-";
  }

  /** GC pauses from the collectors' notifications (concurrent cycles are not pauses). */
  private static final class Gc {
    final LongAdder count = new LongAdder();
    final LongAdder pauseMillis = new LongAdder();
    final AtomicLong maxPauseMillis = new AtomicLong();

    Gc() {
      for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (bean.getName().contains("Concurrent")) {
          continue;
        }
        ((NotificationEmitter) bean)
            .addNotificationListener(
                (notification, handback) -> {
                  if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                      notification.getType())) {
                    return;
                  }
                  GarbageCollectionNotificationInfo info =
                      GarbageCollectionNotificationInfo.from(
                          (CompositeData) notification.getUserData());
                  long millis = info.getGcInfo().getDuration();
                  count.increment();
                  pauseMillis.add(millis);
                  maxPauseMillis.accumulateAndGet(millis, Math::max);
                },
                null,
                null);
      }
    }

    long takeMaxPauseMillis() {
      return maxPauseMillis.getAndSet(0);
    }
  }
}

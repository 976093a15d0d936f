package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.sentry.Sentry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The metric volume of RPC metrics (issue 16): {@code calls} unary calls spread over {@code
 * methods} methods (95% OK, 4% NOT_FOUND, 1% UNAVAILABLE), both interceptors on, 1% of traces
 * sampled, then {@code Sentry.close()}; counts what reached the transport: metric points,
 * {@code trace_metric} envelopes and their bytes, next to the transactions of the 1% sample.
 *
 * <pre>
 * java -cp sentry-grpc-benchmarks/target/benchmarks.jar dev.sentrygrpc.benchmarks.MetricsVolume \
 *     [calls=100000] [methods=20] [latency=lognormal|none] [intervalSeconds=10]
 * </pre>
 *
 * <p>{@code latency=lognormal} gives every call a service time drawn around 2 ms (σ 0.7: 0.3 to
 * 20 ms), as a real service has, served by 64 threads; {@code none} is the in-process echo, tens of
 * microseconds. Volume depends on how many latency buckets the calls spread over, not on how many
 * calls there are.
 */
public final class MetricsVolume {
  private MetricsVolume() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int methods = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    boolean latency = args.length <= 2 || "lognormal".equals(args[2]);
    int intervalSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;

    DiscardingTransport.reset();
    DiscardingTransport.countItems = true;
    Sentry.init(
        options -> {
          options.setDsn(Rig.FAKE_DSN);
          options.setTracesSampleRate(0.01);
          options.setEnableShutdownHook(false);
          options.setShutdownTimeoutMillis(1_000);
          options.setTransportFactory((o, r) -> new DiscardingTransport(o));
        });
    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            .metrics(true)
            .metricsInterval(java.time.Duration.ofSeconds(intervalSeconds))
            .build();

    List<MethodDescriptor<byte[], byte[]>> descriptors = new ArrayList<>();
    ServerServiceDefinition.Builder service = ServerServiceDefinition.builder("bench.Volume");
    for (int i = 0; i < methods; i++) {
      MethodDescriptor<byte[], byte[]> method =
          MethodDescriptor.<byte[], byte[]>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(String.format(Locale.ROOT, "bench.Volume/Method%02d", i))
              .setRequestMarshaller(BYTES)
              .setResponseMarshaller(BYTES)
              .build();
      descriptors.add(method);
      service.addMethod(
          method,
          ServerCalls.asyncUnaryCall(
              (request, responses) -> {
                if (request.length > 1) {
                  LockSupport.parkNanos(((request[1] & 0xff) << 8 | (request[2] & 0xff)) * 1_000L);
                }
                Status.Code code = Status.Code.values()[request[0]];
                if (code == Status.Code.OK) {
                  responses.onNext(request);
                  responses.onCompleted();
                } else {
                  responses.onError(code.toStatus().asRuntimeException());
                }
              }));
    }
    ExecutorService serverPool = Executors.newFixedThreadPool(latency ? 64 : 2);
    String name = "volume-" + System.nanoTime();
    Server server =
        InProcessServerBuilder.forName(name)
            .executor(serverPool)
            .addService(ServerInterceptors.intercept(service.build(), new SentryServerInterceptor(options)))
            .build()
            .start();
    ManagedChannel managed = InProcessChannelBuilder.forName(name).build();
    Channel channel = ClientInterceptors.intercept(managed, new SentryClientInterceptor(options));

    Random random = new Random(16);
    ExecutorService callers = Executors.newFixedThreadPool(latency ? 64 : 2);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    int perTask = 1_000;
    for (int first = 0; first < calls; first += perTask) {
      int count = Math.min(perTask, calls - first);
      long seed = random.nextLong();
      done.add(
          callers.submit(
              () -> {
                Random r = new Random(seed);
                for (int i = 0; i < count; i++) {
                  int roll = r.nextInt(100);
                  Status.Code code =
                      roll < 95 ? Status.Code.OK : roll < 99 ? Status.Code.NOT_FOUND : Status.Code.UNAVAILABLE;
                  int micros =
                      latency ? (int) Math.min(65_535, 2_000 * Math.exp(0.7 * r.nextGaussian())) : 0;
                  byte[] request =
                      latency
                          ? new byte[] {(byte) code.value(), (byte) (micros >> 8), (byte) micros}
                          : new byte[] {(byte) code.value()};
                  try {
                    ClientCalls.blockingUnaryCall(
                        channel, descriptors.get(r.nextInt(descriptors.size())), CallOptions.DEFAULT, request);
                  } catch (StatusRuntimeException expected) {
                    // NOT_FOUND and UNAVAILABLE are planned.
                  }
                }
              }));
    }
    for (Future<?> task : done) {
      task.get(10, TimeUnit.MINUTES);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    managed.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Sentry.close();
    callers.shutdownNow();
    serverPool.shutdownNow();

    long points = DiscardingTransport.METRIC_POINTS.sum();
    long envelopes = DiscardingTransport.METRIC_ENVELOPES.sum();
    long intervals = (long) Math.floor(seconds / intervalSeconds) + 1;
    System.out.printf(
        Locale.ROOT,
        "%,d calls over %d methods (x 3 codes, client + server), latency %s, in %.1f s (%d interval(s) of %d s,"
            + " the last sent on close):%n"
            + "  metric points: %,d in %,d trace_metric envelope item(s), %,d bytes (uncompressed JSON);"
            + " %.1f points per 1,000 calls, %.0f bytes per point%n"
            + "  for comparison: a counter and a distribution point per call and side would be %,d points%n",
        calls, methods, latency ? "log-normal around 2 ms" : "none (in-process echo)", seconds, intervals,
        intervalSeconds, points, envelopes, DiscardingTransport.METRIC_BYTES.sum(), points * 1000.0 / calls,
        points == 0 ? 0.0 : (double) DiscardingTransport.METRIC_BYTES.sum() / points, 4L * calls);
    System.exit(0);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<byte[]>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[64];
            for (int n; (n = stream.read(buffer)) > 0; ) {
              out.write(buffer, 0, n);
            }
            return out.toByteArray();
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };
}

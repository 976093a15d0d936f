package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.override.ContextStorageOverride;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sentry.ISentryLifecycleToken;
import io.sentry.IScopes;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one mode needs around the RPCs: the SDK (Sentry or OpenTelemetry) set up as the mode
 * says, the interceptors on both sides, and on the client side the caller's scopes with a parent
 * span, as in a service that calls another while it handles a request.
 *
 * <p>The client's parent is a transaction bound to the benchmark thread's own forked scopes, and
 * the scope's active span. It is replaced every {@link #CALLS_PER_PARENT} (500) calls, so it never
 * reaches the SDK's 1,000-span limit (past which the client would get no-op spans and do less
 * work) and its memory stays bounded. Its cost, one transaction start and finish per 500 calls, is
 * part of the Sentry modes' measurement (under 0.5% of one call's Sentry work); its finish also
 * carries the conversion of its children, the client spans, which is a real per-call cost.
 */
final class Rig implements AutoCloseable {
  /**
   * Client calls per parent transaction. 500 by default; {@code
   * -Dsentrygrpc.bench.callsPerParent=1} (through {@code -jvmArgsAppend}) gives every call a trace
   * of its own, the worst case for anything cached per trace (the parent's start and finish are
   * then part of every op).
   */
  static final int CALLS_PER_PARENT = Integer.getInteger("sentrygrpc.bench.callsPerParent", 500);

  /**
   * The SDK's backpressure handling in {@code sampled-http} and {@code stalled-backend}: off by
   * default (see {@link #initSentry}); {@code -Dsentrygrpc.bench.backpressure=true} turns it on, as
   * it is by default in the SDK.
   */
  static final boolean BACKPRESSURE = Boolean.getBoolean("sentrygrpc.bench.backpressure");

  /**
   * {@code tracesSampleRate} and {@code maxQueueSize} of {@code sampled-http}: 1.0 and 10,000
   * unless {@code -Dsentrygrpc.bench.sampleRate} / {@code -Dsentrygrpc.bench.maxQueueSize} say
   * otherwise (the load benchmark runs 10% and 100% with the SDK's default queue of 30 and the
   * README's size).
   */
  static final double SAMPLE_RATE =
      Double.parseDouble(System.getProperty("sentrygrpc.bench.sampleRate", "1.0"));

  static final int MAX_QUEUE_SIZE = Integer.getInteger("sentrygrpc.bench.maxQueueSize", 10_000);

  /** A syntactically valid DSN that nothing listens on; used only with the discarding transport. */
  static final String FAKE_DSN = "http://public@127.0.0.1:9/1";

  static final LongAdder OTEL_SPANS = new LongAdder();

  /** For the sanity check: when set, every span OpenTelemetry exports is added here. */
  static volatile java.util.List<SpanData> otelSpansSeen;

  final String mode;
  private final ServerInterceptor serverInterceptor;
  private final ClientInterceptor clientInterceptor;
  private final OpenTelemetrySdk openTelemetry;
  private final ReceiverProcess receiver;

  private IScopes clientScopes;
  private ITransaction parent;
  private int callsOnParent;

  private Rig(
      String mode,
      ServerInterceptor serverInterceptor,
      ClientInterceptor clientInterceptor,
      OpenTelemetrySdk openTelemetry,
      ReceiverProcess receiver) {
    this.mode = mode;
    this.serverInterceptor = serverInterceptor;
    this.clientInterceptor = clientInterceptor;
    this.openTelemetry = openTelemetry;
    this.receiver = receiver;
  }

  /** Sets up a mode. Must run before anything in this JVM touches io.grpc.Context. */
  static Rig create(String mode) throws IOException {
    Modes.check(mode);
    System.setProperty(ContextStorageOverride.PROPERTY, Modes.OTEL.equals(mode) ? "otel" : "default");
    Context.current(); // initialises grpc-java's context storage now
    String expectedStorage = Modes.OTEL.equals(mode) ? "otel" : "default";
    if (!expectedStorage.equals(ContextStorageOverride.KIND)) {
      throw new IllegalStateException(
          "io.grpc.Context storage is '" + ContextStorageOverride.KIND + "', mode " + mode
              + " needs '" + expectedStorage + "': run every mode in a JVM of its own"
              + " (JMH forks, never -f 0)");
    }

    // Whatever came before (nothing, in a fresh fork), the SDK starts closed.
    Sentry.close();
    DiscardingTransport.reset();
    OTEL_SPANS.reset();

    ReceiverProcess receiver = null;
    if (Modes.usesReceiver(mode)) {
      receiver = ReceiverProcess.start();
      if (Modes.STALLED_BACKEND.equals(mode)) {
        receiver.command("stall 10000");
      }
    }
    if (Modes.usesSentry(mode)) {
      initSentry(mode, receiver != null ? receiver.dsn() : null);
      if (!Sentry.isEnabled()) {
        throw new IllegalStateException("Sentry did not start for mode " + mode);
      }
    } else if (Sentry.isEnabled()) {
      throw new IllegalStateException("Sentry must be disabled in mode " + mode);
    }

    ServerInterceptor server = null;
    ClientInterceptor client = null;
    OpenTelemetrySdk openTelemetry = null;
    if (Modes.FORWARDING.equals(mode)) {
      server = ForwardingInterceptors.SERVER;
      client = ForwardingInterceptors.CLIENT;
    } else if (Modes.usesSentryInterceptors(mode)) {
      SentryGrpcOptions options =
          Modes.withMetrics(mode)
              ? SentryGrpcOptions.builder().metrics(true).build()
              : SentryGrpcOptions.defaults();
      server = new SentryServerInterceptor(options);
      client = new SentryClientInterceptor(options);
    } else if (Modes.OTEL.equals(mode)) {
      openTelemetry = openTelemetry();
      GrpcTelemetry telemetry = GrpcTelemetry.create(openTelemetry);
      server = telemetry.createServerInterceptor();
      client = telemetry.createClientInterceptor();
    }
    return new Rig(mode, server, client, openTelemetry, receiver);
  }

  /** Extra options for the sanity check (e.g. a beforeSendTransaction that records); else null. */
  static volatile java.util.function.Consumer<io.sentry.SentryOptions> extraOptions;

  /** The Sentry SDK as the mode says; shared with the sentry-floor benchmark. */
  static void initSentry(String mode, String receiverDsn) {
    Sentry.init(
        options -> {
          if (extraOptions != null) {
            extraOptions.accept(options);
          }
          options.setEnableShutdownHook(false);
          options.setFlushTimeoutMillis(1000);
          options.setShutdownTimeoutMillis(1000);
          switch (Modes.base(mode)) {
            case Modes.ERRORS_ONLY:
              // No tracesSampleRate: tracing off; errors would still be sent.
              options.setDsn(FAKE_DSN);
              options.setTransportFactory((o, r) -> new DiscardingTransport(o));
              break;
            case Modes.UNSAMPLED:
              options.setDsn(FAKE_DSN);
              options.setTracesSampleRate(0.0);
              options.setTransportFactory((o, r) -> new DiscardingTransport(o));
              break;
            case Modes.SAMPLED:
              options.setDsn(FAKE_DSN);
              options.setTracesSampleRate(1.0);
              options.setTransportFactory((o, r) -> new DiscardingTransport(o));
              break;
            case Modes.SAMPLED_HTTP:
            case Modes.STALLED_BACKEND:
              // The SDK's own HTTP transport (AsyncHttpTransport) to the local receiver.
              options.setDsn(receiverDsn);
              options.setTracesSampleRate(SAMPLE_RATE);
              // Default 30. Larger, so a healthy receiver gets what the sender keeps up with.
              options.setMaxQueueSize(MAX_QUEUE_SIZE);
              // Backpressure handling (on by default) halves the sample rate every 10 s while
              // the queue is full, so the mode would measure a sample rate that moves during the
              // run. Off: every call sampled, the worst case, stationary.
              options.setEnableBackpressureHandling(BACKPRESSURE);
              break;
            default:
              throw new IllegalArgumentException("no Sentry in mode " + mode);
          }
        });
  }

  private static OpenTelemetrySdk openTelemetry() {
    SpanExporter discarding =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            OTEL_SPANS.add(spans.size());
            java.util.List<SpanData> seen = otelSpansSeen;
            if (seen != null) {
              seen.addAll(spans);
            }
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(Attributes.empty())))
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(BatchSpanProcessor.builder(discarding).build())
            .build();
    // W3C trace context, so the server continues the client's trace as Sentry's does. No meter
    // provider: the instrumentation's RPC metrics go to OpenTelemetry's no-op meters.
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  ServerServiceDefinition service(BindableService service) {
    return serverInterceptor == null
        ? service.bindService()
        : ServerInterceptors.intercept(service, serverInterceptor);
  }

  Channel channel(Channel channel) {
    return clientInterceptor == null ? channel : ClientInterceptors.intercept(channel, clientInterceptor);
  }

  /**
   * Call on the thread that makes the calls, before they start (each iteration: JMH may change
   * threads between iterations): makes the client's scopes, with a parent span, current.
   */
  void enterCallerThread() {
    if (!Modes.usesSentry(mode)) {
      return;
    }
    if (clientScopes == null) {
      clientScopes = Sentry.forkedRootScopes("benchmark.client");
      startParent();
    }
    if (Sentry.getCurrentScopes() != clientScopes) {
      @SuppressWarnings("unused")
      ISentryLifecycleToken unused = clientScopes.makeCurrent(); // stays current on this thread
    }
  }

  /** The scopes the client's calls are made in (null in modes without Sentry). */
  IScopes clientScopes() {
    return clientScopes;
  }

  /** After every call: replaces the client's parent transaction every CALLS_PER_PARENT calls. */
  void afterCall() {
    if (parent != null && ++callsOnParent >= CALLS_PER_PARENT) {
      parent.finish();
      startParent();
    }
  }

  private void startParent() {
    callsOnParent = 0;
    TransactionOptions options = new TransactionOptions();
    options.setBindToScope(true);
    ITransaction started =
        clientScopes.startTransaction(
            new TransactionContext("benchmark.caller", "benchmark"), options);
    // The parent is also the scope's active span. Otherwise every getSpan() (one per client call)
    // walks the parent's finished children backwards to find an unfinished one: O(children),
    // up to CALLS_PER_PARENT here, a handful in a real request. With the active span set, the
    // lookup costs what it costs in a request with few spans.
    clientScopes.configureScope(scope -> scope.setActiveSpan(started));
    parent = started;
  }

  /** The receiver JVM of the modes that send over HTTP, else null. */
  ReceiverProcess receiver() {
    return receiver;
  }

  /** OpenTelemetry in the {@code otel} mode, else null. */
  OpenTelemetrySdk otel() {
    return openTelemetry;
  }

  /** What the mode's backend saw, for the log: counts of envelopes, transactions or spans. */
  String stats() {
    StringBuilder stats = new StringBuilder("mode=").append(mode);
    if (Modes.usesSentry(mode) && !Modes.usesReceiver(mode)) {
      stats.append(" discardedEnvelopes=").append(DiscardingTransport.ENVELOPES.sum());
    }
    if (receiver != null) {
      try {
        stats.append(' ').append(receiver.command("stats"));
      } catch (IOException e) {
        stats.append(" receiver: ").append(e);
      }
    }
    if (openTelemetry != null) {
      stats.append(" otelSpansExported=").append(OTEL_SPANS.sum());
    }
    return stats.toString();
  }

  @Override
  public void close() {
    if (parent != null) {
      parent.finish();
      parent = null;
    }
    if (receiver != null) {
      try {
        // A stalled request would hold Sentry.close() up to its timeouts.
        receiver.command("healthy");
      } catch (IOException e) {
        // the receiver is gone; close() below copes
      }
    }
    Sentry.close();
    if (openTelemetry != null) {
      openTelemetry.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
    if (receiver != null) {
      receiver.close();
    }
  }
}

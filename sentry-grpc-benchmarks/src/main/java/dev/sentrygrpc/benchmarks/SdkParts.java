package dev.sentrygrpc.benchmarks;

import io.grpc.Metadata;
import io.sentry.Baggage;
import io.sentry.BaggageHeader;
import io.sentry.Breadcrumb;
import io.sentry.ISentryLifecycleToken;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryLevel;
import io.sentry.SpanOptions;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.TransactionNameSource;
import io.sentry.util.TracingUtils;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Not part of the matrix: the single SDK operations that one instrumented call is made of, each
 * measured alone (ns/op and, with {@code -prof gc}, B/op), to attribute the cost of the {@code
 * errors-only}, {@code unsampled} and {@code sampled} paths. The SDK is set up as in the RPC
 * benchmarks; header values are what sentry-grpc's client really sends in that mode. Run with
 * {@code run.sh parts}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SdkParts {
  @Param({Modes.ERRORS_ONLY, Modes.UNSAMPLED, Modes.SAMPLED})
  public String mode;

  private Rig rig;
  private IScopes caller;
  private IScopes forked;
  private ISpan clientSpan;
  private String sentryTrace;
  private List<String> baggage;
  private Baggage frozenBaggage;
  private Metadata incoming;
  private int spans;

  static final Metadata.Key<String> SENTRY_TRACE =
      Metadata.Key.of("sentry-trace", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> BAGGAGE =
      Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    rig = Rig.create(mode);
    rig.enterCallerThread();
    caller = rig.clientScopes();
    forked = Sentry.forkedRootScopes("parts");
    newClientSpan();
    TracingUtils.TracingHeaders headers = TracingUtils.trace(caller, null, nearest());
    sentryTrace = headers.getSentryTraceHeader().getValue();
    BaggageHeader baggageHeader = headers.getBaggageHeader();
    baggage = baggageHeader == null ? null : Collections.singletonList(baggageHeader.getValue());
    frozenBaggage = Baggage.fromHeader(baggage);
    frozenBaggage.freeze();
    incoming = new Metadata();
    incoming.put(SENTRY_TRACE, sentryTrace);
    if (baggage != null) {
      incoming.put(BAGGAGE, baggage.get(0));
    }
  }

  @Setup(Level.Iteration)
  public void enterThread() {
    rig.enterCallerThread();
  }

  private ISpan nearest() {
    return clientSpan.isNoOp() ? null : clientSpan;
  }

  private void newClientSpan() {
    if (clientSpan != null) {
      clientSpan.finish();
    }
    ISpan parent = caller.getSpan();
    clientSpan =
        parent == null ? io.sentry.NoOpSpan.getInstance() : parent.startChild("grpc.client", "x");
  }

  /** A whole server scopes fork: two Scope clones (scope, isolation scope) and a Scopes. */
  @Benchmark
  public IScopes forkedRootScopes() {
    return Sentry.forkedRootScopes("grpc.server");
  }

  /** One makeCurrent/close pair: sentry-grpc does ~9 per unary server call, ~3 per client call. */
  @Benchmark
  public void makeCurrentAndClose() {
    ISentryLifecycleToken token = forked.makeCurrent();
    token.close();
  }

  /** Server: continue the incoming trace (parses sentry-trace, decodes every baggage member). */
  @Benchmark
  public TransactionContext continueTrace() {
    return forked.continueTrace(sentryTrace, baggage);
  }

  /** The baggage decoding inside continueTrace alone. */
  @Benchmark
  public Baggage baggageDecode() {
    return Baggage.fromHeader(baggage);
  }

  /** Reading the two trace headers from the incoming Metadata. */
  @Benchmark
  public Object metadataRead() {
    String trace = incoming.get(SENTRY_TRACE);
    Iterable<String> values = incoming.getAll(BAGGAGE);
    return values != null ? values.iterator().next() : trace;
  }

  /** Client: the outgoing header values (sentry-trace + baggage) as sentry-grpc computes them. */
  @Benchmark
  public Object traceHeaders() {
    TracingUtils.TracingHeaders headers = TracingUtils.trace(caller, null, nearest());
    BaggageHeader baggageHeader = headers.getBaggageHeader();
    return baggageHeader != null ? baggageHeader.getValue() : headers.getSentryTraceHeader().getValue();
  }

  /** The baggage encoding inside traceHeaders alone (frozen baggage, as after the first call). */
  @Benchmark
  public String baggageEncode() {
    return frozenBaggage.toHeaderString(null);
  }

  /** The sentry-trace value alone. */
  @Benchmark
  public String sentryTraceValue() {
    ISpan span = nearest();
    return span != null ? span.toSentryTrace().getValue() : sentryTrace;
  }

  /** The grpc scope context sentry-grpc sets on the forked isolation scope. */
  @Benchmark
  public void setContexts() {
    forked.getIsolationScope().setContexts("grpc", (Object) Floor.SCOPE_CONTEXT);
  }

  /** The grpc.client breadcrumb as TracedClientCall builds and adds it. */
  @Benchmark
  public void breadcrumb() {
    Breadcrumb breadcrumb = new Breadcrumb();
    breadcrumb.setType("grpc");
    breadcrumb.setCategory("grpc.client");
    breadcrumb.setMessage(Floor.METHOD + " " + "OK");
    breadcrumb.setLevel(SentryLevel.INFO);
    breadcrumb.setData("method", Floor.METHOD);
    breadcrumb.setData("status_code", "OK");
    breadcrumb.setData("duration_ms", 0L);
    caller.addBreadcrumb(breadcrumb);
  }

  /** Server transaction alone: continueTrace, start bound to scope, 12 data, finish (to transport). */
  @Benchmark
  public ITransaction serverTransaction() {
    IScopes scopes = Sentry.forkedRootScopes("grpc.server");
    ISentryLifecycleToken token = scopes.makeCurrent();
    try {
      TransactionContext context = scopes.continueTrace(sentryTrace, baggage);
      context.setName(Floor.METHOD);
      context.setTransactionNameSource(TransactionNameSource.ROUTE);
      context.setOperation("grpc.server");
      TransactionOptions options = new TransactionOptions();
      options.setBindToScope(true);
      options.setOrigin("auto.grpc.grpc.server");
      ITransaction transaction = scopes.startTransaction(context, options);
      for (int i = 0; i < 12; i++) {
        transaction.setData(KEYS[i], "v");
      }
      transaction.finish();
      return transaction;
    } finally {
      token.close();
    }
  }

  /** Client span alone: a child of the caller's span, 12 data, finished. */
  @Benchmark
  public ISpan clientSpan() {
    ISpan parent = caller.getSpan();
    if (parent == null) {
      return null;
    }
    SpanOptions spanOptions = new SpanOptions();
    spanOptions.setOrigin("auto.grpc.grpc.client");
    ISpan span = parent.startChild("grpc.client", Floor.METHOD, spanOptions);
    for (int i = 0; i < 12; i++) {
      span.setData(KEYS[i], "v");
    }
    span.finish();
    rig.afterCall();
    return span;
  }

  /** setData on a live span, one key (sentry-grpc sets ~13 per span). */
  @Benchmark
  public void spanSetData() {
    clientSpan.setData("rpc.method", Floor.METHOD);
    if (++spans == 1_000_000) {
      spans = 0;
      newClientSpan();
    }
  }

  private static final String[] KEYS = {
    "rpc.system", "rpc.service", "rpc.method", "grpc.method", "grpc.service", "grpc.method_type",
    "server.address", "rpc.response.status_code", "rpc.grpc.status_code", "grpc.statuscode",
    "grpc.messages.received", "grpc.messages.sent"
  };

  @TearDown(Level.Trial)
  public void tearDown() {
    clientSpan.finish();
    rig.close();
  }
}

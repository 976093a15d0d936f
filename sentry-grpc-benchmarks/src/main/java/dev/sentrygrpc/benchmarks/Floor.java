package dev.sentrygrpc.benchmarks;

import io.sentry.BaggageHeader;
import io.sentry.Breadcrumb;
import io.sentry.ISentryLifecycleToken;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryLevel;
import io.sentry.SpanOptions;
import io.sentry.SpanStatus;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.protocol.TransactionNameSource;
import io.sentry.util.TracingUtils;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bare Sentry API work that one traced unary call needs, client and server, with no gRPC: the
 * physical limit of the {@code sampled} mode. Same SDK calls, in the same order, as sentry-grpc's
 * interceptors with default options make for one call; what it leaves out is sentry-grpc's own
 * bookkeeping and the repeated {@code makeCurrent} around each gRPC callback.
 *
 * <ul>
 *   <li>client: a {@code grpc.client} child of the caller's span, the call's span data,
 *       {@code TracingUtils.trace} for the {@code sentry-trace}/{@code baggage} values;
 *   <li>server: {@code Sentry.forkedRootScopes}, {@code makeCurrent}, {@code continueTrace} with
 *       those header values, the {@code grpc} scope context, a transaction bound to the scope with
 *       the span data, finished (it goes to the transport);
 *   <li>client end: status data, the span finished, the {@code grpc.client} breadcrumb (on by
 *       default in sentry-grpc).
 * </ul>
 */
final class Floor {
  static final String METHOD = "sentrygrpc.test.EchoService/Unary";
  static final String SERVICE = "sentrygrpc.test.EchoService";
  static final String PATH = "/" + METHOD;
  static final Map<String, Object> SCOPE_CONTEXT;

  static {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("method", METHOD);
    context.put("method_type", "UNARY");
    SCOPE_CONTEXT = Collections.unmodifiableMap(context);
  }

  private Floor() {}

  /** One call's Sentry work; {@code caller} holds the caller's span, as a client's scopes do. */
  static ITransaction oneCall(IScopes caller) {
    // client: interceptCall + start
    ISpan parent = caller.getSpan();
    SpanOptions spanOptions = new SpanOptions();
    spanOptions.setOrigin("auto.grpc.grpc.client");
    ISpan clientSpan = parent.startChild("grpc.client", METHOD, spanOptions);
    describeCall(clientSpan);
    TracingUtils.TracingHeaders headers = TracingUtils.trace(caller, null, clientSpan);
    String sentryTrace = headers.getSentryTraceHeader().getValue();
    BaggageHeader baggageHeader = headers.getBaggageHeader();
    List<String> baggage =
        baggageHeader != null ? Collections.singletonList(baggageHeader.getValue()) : null;

    // server: interceptCall .. onComplete
    ITransaction transaction;
    IScopes scopes = Sentry.forkedRootScopes("grpc.server");
    ISentryLifecycleToken token = scopes.makeCurrent();
    try {
      TransactionContext context = scopes.continueTrace(sentryTrace, baggage);
      scopes.getIsolationScope().setContexts("grpc", (Object) SCOPE_CONTEXT);
      context.setName(METHOD);
      context.setTransactionNameSource(TransactionNameSource.ROUTE);
      context.setOperation("grpc.server");
      TransactionOptions options = new TransactionOptions();
      options.setBindToScope(true);
      options.setOrigin("auto.grpc.grpc.server");
      transaction = scopes.startTransaction(context, options);
      describeCall(transaction);
      describeOutcome(transaction);
      transaction.finish();
    } finally {
      token.close();
    }

    // client: onClose
    describeOutcome(clientSpan);
    clientSpan.finish();
    Breadcrumb breadcrumb = new Breadcrumb();
    breadcrumb.setType("grpc");
    breadcrumb.setCategory("grpc.client");
    breadcrumb.setMessage(METHOD + " OK");
    breadcrumb.setLevel(SentryLevel.INFO);
    breadcrumb.setData("method", METHOD);
    breadcrumb.setData("status_code", "OK");
    breadcrumb.setData("duration_ms", 0L);
    caller.addBreadcrumb(breadcrumb);
    return transaction;
  }

  private static void describeCall(ISpan span) {
    span.setData("rpc.system", "grpc");
    span.setData("rpc.service", SERVICE);
    span.setData("rpc.method", METHOD);
    span.setData("grpc.method", PATH);
    span.setData("grpc.service", SERVICE);
    span.setData("grpc.method_type", "UNARY");
    span.setData("server.address", "localhost");
  }

  private static void describeOutcome(ISpan span) {
    span.setData("rpc.response.status_code", "OK");
    span.setData("rpc.grpc.status_code", 0);
    span.setData("grpc.statuscode", 0);
    span.setData("grpc.messages.received", 1);
    span.setData("grpc.messages.sent", 1);
    span.setStatus(SpanStatus.OK);
  }
}

package dev.sentrygrpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.sentry.CustomSamplingContext;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ITransaction;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.TransactionContext;
import io.sentry.TransactionOptions;
import io.sentry.exception.ExceptionMechanismException;
import io.sentry.protocol.Mechanism;
import io.sentry.protocol.TransactionNameSource;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The whole server-side life of one traced call, top to bottom: start (fork scopes, continue the
 * trace, start the transaction), every {@link ServerCall} method and listener callback run inside
 * the call's scopes, exceptions captured once, and the transaction finished exactly once.
 *
 * <p>This object is the {@link ServerCall} handed to the rest of the chain; its inner {@link
 * Listener} is the listener handed back to grpc-java.
 */
final class TracedServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

  static final String OPERATION = "grpc.server";
  static final String ORIGIN = "auto.grpc.grpc.server";
  static final String MECHANISM = "grpc";
  static final String GRPC_CONTEXT = "grpc";

  /**
   * A client whose deadline expires cancels the call; the cancellation can reach the server a
   * moment before the server's own copy of the deadline (set from the {@code grpc-timeout} header
   * when the call arrived) expires. Within this much of it, a cancel counts as the deadline.
   */
  private static final long DEADLINE_SKEW_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private static final Status INTERNAL_ERROR = Status.INTERNAL.withDescription("internal server error");

  @SuppressWarnings("rawtypes")
  private static final AtomicIntegerFieldUpdater<TracedServerCall> FINISHED =
      AtomicIntegerFieldUpdater.newUpdater(TracedServerCall.class, "finished");

  private final SentryGrpcOptions options;
  private final RpcMethod method;
  private final IScopes scopes;
  private final ITransaction transaction;
  private final Deadline deadline;
  /** Metrics and call logs, or null when both are off. */
  private final CallTelemetry telemetry;
  private final long startNanos;

  private volatile int finished;
  /**
   * The status the client will see, once known. The first final status wins: the first close(),
   * or the exception grpc-java (or this interceptor) ended the call for. A later close() of an
   * application that did not know the call was over never rewrites it.
   */
  private volatile Status outcome;
  /** Whether the outcome came from a close() (the application's, or this interceptor's). */
  private volatile boolean closed;
  /**
   * This interceptor closed the call for a swallowed exception ({@code rethrow(false)}): what the
   * application still sends is dropped, as grpc-java drops it after ending a call for an
   * exception, instead of failing with "call is closed".
   */
  private volatile boolean closedHere;
  /** The last exception captured, so the same one is never sent twice. */
  private volatile Throwable captured;
  /** The rich error details the outcome carries to the client, or null (most calls). */
  private volatile ErrorDetails errorDetails;

  // Plain ints: a volatile ++ costs a full fence per message (and was not atomic either).
  // grpc-java serializes the listener callbacks, and ServerCall methods must not be called
  // concurrently. finish() from onComplete reads them after close(), which grpc-java orders;
  // finish() from onCancel is not ordered with an application thread still sending, so a
  // cancelled call's counts may miss the last messages.
  private int messagesReceived;
  private int messagesSent;

  private TracedServerCall(
      ServerCall<ReqT, RespT> call,
      SentryGrpcOptions options,
      RpcMethod method,
      IScopes scopes,
      ITransaction transaction,
      Deadline deadline,
      CallTelemetry telemetry,
      long startNanos) {
    super(call);
    this.options = options;
    this.method = method;
    this.scopes = scopes;
    this.transaction = transaction;
    this.deadline = deadline;
    this.telemetry = telemetry;
    this.startNanos = startNanos;
  }

  /**
   * Starts the call with its own scopes, forked from root as sentry-kafka's consumer does: gRPC
   * runs the callbacks of many calls on shared threads, and per-call data (trace, tags,
   * breadcrumbs) lives in the isolation scope. Scopes given in the options are forked instead:
   * {@code forkedRootScopes} on them would fork the SDK's global root and lose their client.
   */
  static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      SentryGrpcOptions options,
      MetadataCapture metadata,
      CallTelemetry telemetry,
      RpcMethod method,
      IScopes root,
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    long startNanos = telemetry != null ? CallTelemetry.start() : 0L;
    // First: a deadline read from the grpc-timeout header counts from this moment.
    Deadline deadline = IncomingDeadline.of(Context.current(), headers);
    IScopes scopes =
        options.scopes() != null ? root.forkedScopes(OPERATION) : root.forkedRootScopes(OPERATION);
    ISentryLifecycleToken token = scopes.makeCurrent();
    try {
      ITransaction transaction = null;
      try {
        transaction = begin(options, metadata, method, scopes, call, headers, deadline);
      } catch (Throwable t) {
        log(scopes.getOptions(), t, "Could not start the transaction of %s", method.fullName);
      }
      TracedServerCall<ReqT, RespT> traced =
          new TracedServerCall<>(
              call, options, method, scopes, transaction, deadline, telemetry, startNanos);
      ServerCall.Listener<ReqT> listener;
      try {
        listener = next.startCall(traced, headers);
      } catch (Throwable t) {
        // An inner interceptor (auth, validation) failed the call before it started. grpc-java
        // answers it with Status.fromThrowable: an auth interceptor's UNAUTHENTICATED stays so.
        if (traced.onApplicationError(t, Status.fromThrowable(t))) {
          // grpc-java closes the call and never calls a listener: end here.
          traced.finish(traced.outcome);
          throw t;
        }
        listener = new ServerCall.Listener<ReqT>() {};
      }
      return traced.new Listener(listener);
    } finally {
      token.close();
    }
  }

  /** Continues the caller's trace and starts the call's transaction, or returns null. */
  private static ITransaction begin(
      SentryGrpcOptions options,
      MetadataCapture metadata,
      RpcMethod method,
      IScopes scopes,
      ServerCall<?, ?> call,
      Metadata headers,
      Deadline deadline) {
    SentryOptions sentry = scopes.getOptions();
    String sentryTrace = null;
    List<String> baggage = null;
    if (options.continueIncomingTraces().test(call, headers)) {
      sentryTrace = headers.get(TraceMetadata.SENTRY_TRACE);
      baggage = TraceMetadata.baggage(headers);
    }
    // Called even without a sentry-trace header: it gives the call a trace of its own, and it
    // is what links errors to the caller's trace when tracing is off.
    TransactionContext context = scopes.continueTrace(sentryTrace, baggage);

    describeCallOnScope(metadata, method, scopes, sentry, call, headers);

    if (context == null || (method.streaming && !options.traceStreamingCalls())) {
      return null;
    }
    context.setName(method.fullName);
    context.setTransactionNameSource(TransactionNameSource.ROUTE);
    context.setOperation(OPERATION);

    TransactionOptions transactionOptions = new TransactionOptions();
    transactionOptions.setBindToScope(true);
    transactionOptions.setOrigin(ORIGIN);
    if (sentry.getTracesSampler() != null) {
      // Only worth building when a sampler will read it: it lets one drop health checks or
      // sample per method.
      CustomSamplingContext sampling = new CustomSamplingContext();
      sampling.set("grpc.method", method.fullName);
      sampling.set("grpc.method_type", method.type);
      sampling.set("grpc.method_descriptor", method.descriptor);
      sampling.set("grpc.metadata", headers);
      transactionOptions.setCustomSamplingContext(sampling);
    }
    ITransaction transaction = scopes.startTransaction(context, transactionOptions);
    if (!Boolean.TRUE.equals(transaction.isSampled())) {
      // Kept for the trace it propagates ("not sampled" downstream), but never sent: data
      // written on it would be work on every call for nothing.
      return transaction;
    }
    RpcSpanData.describeCall(transaction, method, call.getAuthority());
    if (deadline != null) {
      transaction.setData("grpc.deadline.remaining_ms", deadline.timeRemaining(TimeUnit.MILLISECONDS));
    }
    if (sentry.isSendDefaultPii()) {
      SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (peer instanceof InetSocketAddress) {
        InetSocketAddress address = (InetSocketAddress) peer;
        transaction.setData("client.address", address.getHostString());
        transaction.setData("client.port", address.getPort());
      }
    }
    return transaction;
  }

  /** The {@code grpc} context: what every event of this call shows about the call. */
  private static void describeCallOnScope(
      MetadataCapture metadata,
      RpcMethod method,
      IScopes scopes,
      SentryOptions sentry,
      ServerCall<?, ?> call,
      Metadata headers) {
    boolean pii = sentry.isSendDefaultPii();
    if (!metadata.capturesAnything(pii)) {
      // The common case shares one immutable map per method: no allocation per call.
      scopes.getIsolationScope().setContexts(GRPC_CONTEXT, (Object) method.scopeContext);
      return;
    }
    Map<String, Object> grpc = new LinkedHashMap<>(method.scopeContext);
    Map<String, String> captured = metadata.capture(headers, pii);
    if (captured != null) {
      grpc.put("metadata", captured);
    }
    if (pii) {
      SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (peer != null) {
        grpc.put("peer", peer.toString());
      }
    }
    scopes.getIsolationScope().setContexts(GRPC_CONTEXT, (Object) grpc);
  }

  // ---- ServerCall: what the application does to the call ----

  @Override
  public void request(int numMessages) {
    ISentryLifecycleToken token = CallScopes.enter(scopes);
    try {
      super.request(numMessages);
    } finally {
      token.close();
    }
  }

  @Override
  public void sendHeaders(Metadata headers) {
    if (closedHere) {
      return;
    }
    ISentryLifecycleToken token = CallScopes.enter(scopes);
    try {
      super.sendHeaders(headers);
    } finally {
      token.close();
    }
  }

  @Override
  public void sendMessage(RespT message) {
    if (closedHere) {
      return;
    }
    ISentryLifecycleToken token = CallScopes.enter(scopes);
    try {
      super.sendMessage(message);
      messagesSent++;
    } finally {
      token.close();
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (closedHere) {
      return;
    }
    ISentryLifecycleToken token = CallScopes.enter(scopes);
    try {
      if (outcome == null) {
        // The call's first end: after an exception ended it, the client saw that, not this.
        closed = true;
        Status seen = status;
        try {
          seen = statusTheClientSees(status);
        } catch (Throwable t) {
          log(scopes.getOptions(), t, "Could not map the status of %s", method.fullName);
        }
        if (showsErrorDetails(seen)) {
          // Before the outcome: whoever sees the outcome sees its details too.
          errorDetails =
              ErrorDetailsReader.read(seen, trailers, options, scopes.getOptions(), method.fullName);
        }
        outcome = seen;
        try {
          onClose(seen);
        } catch (Throwable t) {
          log(scopes.getOptions(), t, "Could not record the status of %s", method.fullName);
        }
      }
      super.close(status, trailers);
    } finally {
      token.close();
    }
  }

  /**
   * {@code StreamObserver.onError(t)} with a plain exception reaches close as grpc-java's UNKNOWN
   * with {@code t} as the cause; an exception translator outside this interceptor maps it again
   * on the way out. With {@link SentryGrpcOptions#exceptionStatus()} set, ask it, as for a thrown
   * exception, so the transaction and the capture decision follow what the client sees.
   */
  private Status statusTheClientSees(Status status) {
    Throwable cause = status.getCause();
    if (status.getCode() != Status.Code.UNKNOWN || cause == null || options.exceptionStatus() == null) {
      return status;
    }
    Status mapped = mapped(cause);
    return mapped != null ? mapped.withCause(cause) : status;
  }

  /**
   * A cause passed to close is the only trace of {@code StreamObserver.onError(t)}, and of
   * grpc-kotlin, which never throws into the listener: capture it for the codes the user chose.
   */
  private void onClose(Status status) {
    if (!status.isOk()) {
      // Only failures get the status into the context: an OK call needs no new map.
      scopes.getIsolationScope().setContexts(GRPC_CONTEXT, (Object) statusContext(status));
    }
    Throwable cause = status.getCause();
    if (cause != null && options.capturedStatusCodes().contains(status.getCode())) {
      capture(cause);
    }
  }

  /**
   * Whether a call ending with this status shows its error details: on the sampled transaction,
   * or on the event this interceptor captures for it. Otherwise they are not even read.
   */
  private boolean showsErrorDetails(Status status) {
    return !status.isOk()
        && ((transaction != null && Boolean.TRUE.equals(transaction.isSampled()))
            || (status.getCause() != null
                && options.capturedStatusCodes().contains(status.getCode())));
  }

  private Map<String, Object> statusContext(Status status) {
    Map<String, Object> grpc = new LinkedHashMap<>();
    Object previous = scopes.getIsolationScope().getContexts().get(GRPC_CONTEXT);
    if (previous instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) previous).entrySet()) {
        grpc.put(String.valueOf(entry.getKey()), entry.getValue());
      }
    }
    grpc.put("status_code", status.getCode().name());
    if (status.getDescription() != null) {
      grpc.put("status_description", status.getDescription());
    }
    ErrorDetails details = errorDetails;
    if (details != null) {
      grpc.put(ErrorDetails.CONTEXT_KEY, details.context());
    }
    return grpc;
  }

  // ---- exceptions ----

  /**
   * Captures an exception the application threw into grpc-java, and decides its fate: returns
   * true when it must be rethrown (grpc-java, or an exception-handling interceptor outside this
   * one, then closes the call); otherwise the call is closed here and the exception swallowed.
   *
   * @param grpcAnswer the status grpc-java gives the call for this exception: UNKNOWN for one
   *     thrown from a listener callback, {@code Status.fromThrowable} for one from startCall
   */
  private boolean onApplicationError(Throwable t, Status grpcAnswer) {
    Status status = statusFor(t, grpcAnswer);
    if (outcome == null
        && options.rethrow()
        && options.exceptionStatus() != null
        && showsErrorDetails(status.withCause(t))) {
      // The translator outside answers with the exception's own trailers, as Spring gRPC does.
      errorDetails =
          ErrorDetailsReader.readThrown(status, t, options, scopes.getOptions(), method.fullName);
    }
    try {
      // A service method's exception is an error, whatever became of it, unless a mapping says
      // otherwise; a status an interceptor threw on purpose (UNAUTHENTICATED) is an error only
      // for the captured codes, as is every mapped one (a refused login is not a bug).
      boolean plainException =
          options.exceptionStatus() == null && grpcAnswer.getCode() == Status.Code.UNKNOWN;
      if (plainException || options.capturedStatusCodes().contains(status.getCode())) {
        // The event says how the call ended: a rethrown exception never reaches close() here.
        Status ending = outcome != null ? outcome : status;
        if (!ending.isOk()) {
          scopes.getIsolationScope().setContexts(GRPC_CONTEXT, (Object) statusContext(ending));
        }
        capture(t);
        if (transaction != null) {
          transaction.setThrowable(t);
        }
      }
    } catch (Throwable own) {
      log(scopes.getOptions(), own, "Could not capture an exception of %s", method.fullName);
    }
    if (options.rethrow()) {
      if (outcome == null) {
        // The call is closed past this wrapper; this is the status the client will see.
        outcome = status.withCause(t);
      }
      return true;
    }
    if (outcome == null) {
      try {
        close(status, new Metadata());
      } catch (Throwable closeFailure) {
        log(scopes.getOptions(), closeFailure, "Could not close %s", method.fullName);
      }
      closedHere = true;
    }
    return false;
  }

  /**
   * The status a thrown exception becomes: the user's mapping when there is one, else grpc-java's
   * answer, or without rethrow, INTERNAL in place of grpc-java's UNKNOWN.
   */
  private Status statusFor(Throwable t, Status grpcAnswer) {
    Status mapped = options.exceptionStatus() != null ? mapped(t) : null;
    if (mapped != null) {
      return mapped;
    }
    if (options.rethrow() || grpcAnswer.getCode() != Status.Code.UNKNOWN) {
      return grpcAnswer;
    }
    return INTERNAL_ERROR;
  }

  /** The user's mapping of an exception, or null when it has none or fails. */
  private Status mapped(Throwable t) {
    try {
      return options.exceptionStatus().apply(t);
    } catch (Throwable mappingFailure) {
      log(scopes.getOptions(), mappingFailure, "exceptionStatus failed for %s", method.fullName);
      return null;
    }
  }

  private void capture(Throwable t) {
    if (isCaptured(t)) {
      return;
    }
    captured = t;
    Mechanism mechanism = new Mechanism();
    mechanism.setType(MECHANISM);
    mechanism.setHandled(false);
    scopes.captureException(new ExceptionMechanismException(mechanism, t, Thread.currentThread()));
    if (options.flushOnError() != null) {
      scopes.flush(options.flushOnError().toMillis());
    }
  }

  /** The same exception, or one it wraps, was captured already. */
  private boolean isCaptured(Throwable t) {
    Throwable last = captured;
    if (last == null) {
      return false;
    }
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause == last) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  // ---- the end ----

  private void finish(Status status) {
    if (!FINISHED.compareAndSet(this, 0, 1)) {
      return;
    }
    if (telemetry != null) {
      // Before the transaction finishes: it is still the scope's span, so a log links to it.
      telemetry.serverCallEnded(
          scopes,
          method,
          status,
          CallTelemetry.since(startNanos),
          messagesReceived,
          messagesSent,
          transaction,
          this);
    }
    if (transaction == null) {
      return;
    }
    try {
      if (Boolean.TRUE.equals(transaction.isSampled())) {
        RpcSpanData.describeOutcome(transaction, status, messagesReceived, messagesSent);
        ErrorDetails details = errorDetails;
        if (details != null && status == outcome) {
          details.describe(transaction); // not when a cancel overtook the outcome
        }
      }
      transaction.finish();
    } catch (Throwable t) {
      log(scopes.getOptions(), t, "Could not finish the transaction of %s", method.fullName);
    }
  }

  /** What the client saw when the call was cancelled: its deadline, or a cancel. */
  private Status cancelStatus() {
    if (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= DEADLINE_SKEW_NANOS) {
      return Status.DEADLINE_EXCEEDED;
    }
    return Status.CANCELLED;
  }

  private static void log(SentryOptions options, Throwable t, String message, Object... args) {
    options.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: " + message, args);
  }

  /** The listener grpc-java calls: each callback in the call's scopes, exceptions captured. */
  final class Listener extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    Listener(ServerCall.Listener<ReqT> delegate) {
      super(delegate);
    }

    @Override
    public void onMessage(ReqT message) {
      ISentryLifecycleToken token = CallScopes.enter(scopes);
      try {
        messagesReceived++;
        super.onMessage(message);
      } catch (Throwable t) {
        if (onApplicationError(t, Status.UNKNOWN)) {
          throw t;
        }
      } finally {
        token.close();
      }
    }

    @Override
    public void onHalfClose() {
      ISentryLifecycleToken token = CallScopes.enter(scopes);
      try {
        super.onHalfClose();
      } catch (Throwable t) {
        if (onApplicationError(t, Status.UNKNOWN)) {
          throw t;
        }
      } finally {
        token.close();
      }
    }

    @Override
    public void onReady() {
      ISentryLifecycleToken token = CallScopes.enter(scopes);
      try {
        super.onReady();
      } catch (Throwable t) {
        if (onApplicationError(t, Status.UNKNOWN)) {
          throw t;
        }
      } finally {
        token.close();
      }
    }

    @Override
    public void onCancel() {
      ISentryLifecycleToken token = CallScopes.enter(scopes);
      // Read before the application's onCancel: an exception from there comes after the client
      // saw the cancel, and does not change what it saw.
      Status before = outcome;
      boolean closedBefore = closed;
      try {
        super.onCancel();
      } catch (Throwable t) {
        if (onApplicationError(t, Status.UNKNOWN)) {
          throw t;
        }
      } finally {
        // An exception grpc-java turned into UNKNOWN is what the client saw, even if the
        // transport then reports the stream as cancelled; a close the cancel overtook is not.
        finish(before != null && !closedBefore ? before : cancelStatus());
        token.close();
      }
    }

    @Override
    public void onComplete() {
      ISentryLifecycleToken token = CallScopes.enter(scopes);
      try {
        super.onComplete();
      } catch (Throwable t) {
        if (onApplicationError(t, Status.UNKNOWN)) {
          throw t;
        }
      } finally {
        Status status = outcome;
        finish(status != null ? status : Status.UNKNOWN);
        token.close();
      }
    }
  }
}

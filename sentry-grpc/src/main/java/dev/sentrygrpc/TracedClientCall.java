package dev.sentrygrpc;

import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.BaggageHeader;
import io.sentry.Breadcrumb;
import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.SpanOptions;
import io.sentry.W3CTraceparentHeader;
import io.sentry.exception.ExceptionMechanismException;
import io.sentry.protocol.Mechanism;
import io.sentry.util.TracingUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The whole client-side life of one outgoing call, top to bottom: nothing happens until {@link
 * #start}, which opens a {@code grpc.client} span when the caller has a span and injects the trace
 * headers either way; the caller's listener runs in the caller's scopes; the span finishes exactly
 * once, on the final status or on cancel, before the caller's {@code onClose} runs.
 */
final class TracedClientCall<ReqT, RespT>
    extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {

  static final String OPERATION = "grpc.client";
  static final String ORIGIN = "auto.grpc.grpc.client";
  static final String BREADCRUMB_TYPE = "grpc";
  /** The context on opted-in client failure events; {@code grpc} stays the server call's. */
  static final String CLIENT_CONTEXT = "grpc.client";

  /** Not started yet: a cancel now ends the call before it began, with nothing to report. */
  private static final int NEW = 0;

  /** Started: the span (if any) and the headers are in place; the next terminal signal reports. */
  private static final int STARTED = 1;

  /** Reported, or cancelled before it started: every later terminal signal is ignored. */
  private static final int FINISHED = 2;

  @SuppressWarnings("rawtypes")
  private static final AtomicIntegerFieldUpdater<TracedClientCall> STATE =
      AtomicIntegerFieldUpdater.newUpdater(TracedClientCall.class, "state");

  private final ClientSettings settings;
  private final RpcMethod method;
  private final IScopes caller;
  private final ISpan parent;
  private final String authority;
  private final Deadline deadline;

  private volatile ISpan span;
  private volatile long startNanos;
  private volatile int state = NEW;

  /** The status of a cancel that came before start finished opening the span. */
  private volatile Status cancelledBeforeStart;

  private int messagesReceived; // see TracedServerCall
  private int messagesSent; // see TracedServerCall

  TracedClientCall(
      ClientCall<ReqT, RespT> call,
      ClientSettings settings,
      RpcMethod method,
      IScopes caller,
      String authority,
      Deadline deadline) {
    super(call);
    this.settings = settings;
    this.method = method;
    this.caller = caller;
    this.parent = caller.getSpan();
    this.authority = authority;
    this.deadline = deadline;
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    if (state == NEW) {
      try {
        startNanos = System.nanoTime();
        span = startSpan();
        injectTraceHeaders(headers);
      } catch (Throwable t) {
        log(t, "Could not trace the call to %s", method.fullName);
      }
    }
    // else: cancelled before start. grpc-java refuses to start it; for Sentry it never existed.
    if (!STATE.compareAndSet(this, NEW, STARTED)) {
      // A cancel (from another thread) came while the span was opening. It found nothing to
      // finish, so the span is finished here: otherwise it would stay open in the transaction.
      Status cancelled = cancelledBeforeStart;
      if (span != null && cancelled != null) {
        report(cancelled, null);
      }
    }
    try {
      super.start(new TracedListener(responseListener), headers);
    } catch (RuntimeException | Error e) {
      finish(Status.fromThrowable(e), null);
      throw e;
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    // Counted before it is handed on: with direct executors the server can answer and close the
    // call inside sendMessage, and the span's counts are written then.
    messagesSent++;
    try {
      super.sendMessage(message);
    } catch (RuntimeException | Error e) {
      messagesSent--;
      throw e;
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    try {
      super.cancel(message, cause);
    } finally {
      // A call cancelled before start has no span: nothing to finish, nothing leaks.
      finish(Status.CANCELLED.withDescription(message).withCause(cause), null);
    }
  }

  /** A child of the caller's span, only when there is one (as Sentry's OkHttp integration). */
  private ISpan startSpan() {
    if (parent == null
        || parent.isNoOp()
        || !Boolean.TRUE.equals(parent.isSampled())
        || settings.ignoredOrigin.isIgnored(options())) {
      // An unsampled parent's child would never be sent: no span. The headers then carry the
      // parent's span id and sampled=false, which is all the next service needs.
      return null;
    }
    SpanOptions spanOptions = new SpanOptions();
    spanOptions.setOrigin(ORIGIN);
    ISpan child = parent.startChild(OPERATION, method.fullName, spanOptions);
    if (child.isNoOp()) {
      return null;
    }
    RpcSpanData.describeCall(child, method, authority);
    if (deadline != null) {
      child.setData("grpc.deadline.remaining_ms", deadline.timeRemaining(TimeUnit.MILLISECONDS));
    }
    return child;
  }

  /**
   * Tracing without performance: the headers go out whether or not there is a span, so the next
   * service continues the caller's trace. Exactly one {@code sentry-trace}; {@code baggage} merged,
   * the user's third-party members kept and Sentry's own replaced.
   */
  private void injectTraceHeaders(Metadata headers) {
    SentryOptions options = options();
    if (!options.isTraceSampling()
        || !settings.propagationTargets.allows(options, authority, method)) {
      return;
    }
    List<String> thirdPartyBaggage = OutgoingBaggage.wellFormedMembers(headers);
    // Without a span of its own (ignored origin, a finished or full transaction) the call is
    // still part of the caller's span; the scopes' propagation context is a different trace
    // whenever the caller started a transaction itself, so it is the last resort.
    ISpan nearest = span != null ? span : parent;
    // TracingUtils.trace's values, the baggage encoded once per trace (see OutgoingTraceHeaders).
    TracingUtils.TracingHeaders tracing =
        settings.traceHeaders.trace(caller, thirdPartyBaggage, nearest, parent);
    if (tracing == null) {
      return;
    }
    headers.removeAll(TraceMetadata.SENTRY_TRACE);
    headers.put(TraceMetadata.SENTRY_TRACE, tracing.getSentryTraceHeader().getValue());
    headers.removeAll(TraceMetadata.BAGGAGE);
    BaggageHeader baggage = tracing.getBaggageHeader();
    if (baggage != null) {
      headers.put(TraceMetadata.BAGGAGE, baggage.getValue());
    }
    W3CTraceparentHeader traceparent = tracing.getW3cTraceparentHeader();
    if (traceparent != null) {
      headers.removeAll(TraceMetadata.TRACEPARENT);
      headers.put(TraceMetadata.TRACEPARENT, traceparent.getValue());
    }
  }

  /**
   * Exactly once: on the final status, on cancel, or when start itself fails. A cancel before start
   * only marks the call, so nothing is reported for a call that never ran.
   */
  private void finish(Status status, Metadata trailers) {
    for (; ; ) {
      int current = state;
      if (current == FINISHED) {
        return;
      }
      if (current == NEW) {
        // Written before the compare-and-set, so a start that loses the race sees it.
        cancelledBeforeStart = status;
      }
      if (STATE.compareAndSet(this, current, FINISHED)) {
        if (current == STARTED) {
          report(status, trailers);
        }
        return;
      }
    }
  }

  /** Finishes the span, leaves the breadcrumb and captures the opted-in failure. */
  private void report(Status status, Metadata trailers) {
    try {
      // One clock read for the breadcrumb and the metrics, none when neither wants it.
      CallTelemetry telemetry = settings.telemetry;
      boolean breadcrumbs = settings.options.clientBreadcrumbs();
      long nanos = breadcrumbs || telemetry != null ? System.nanoTime() - startNanos : 0L;
      ISpan finishing = span;
      boolean capture = settings.options.capturedClientStatusCodes().contains(status.getCode());
      // Read only when a span or an event will show them.
      ErrorDetails details =
          finishing != null || capture
              ? ErrorDetailsReader.read(status, trailers, settings.options, options(), method.fullName)
              : null;
      if (finishing != null) {
        RpcSpanData.describeOutcome(finishing, status, messagesReceived, messagesSent);
        if (details != null) {
          details.describe(finishing);
        }
        finishing.finish();
      }
      if (breadcrumbs) {
        caller.addBreadcrumb(breadcrumb(status, nanos));
      }
      if (telemetry != null && !settings.ignoredOrigin.isIgnored(options())) {
        telemetry.clientCallEnded(
            caller, method, status, nanos, messagesReceived, messagesSent, finishing, authority);
      }
      if (capture) {
        Mechanism mechanism = new Mechanism();
        mechanism.setType(OPERATION);
        mechanism.setHandled(true);
        // The call's own context on this event only: the caller's scope (perhaps a server
        // call's, with its own grpc context) stays as it is.
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("method", method.fullName);
        context.put("method_type", method.type);
        context.put("status_code", status.getCode().name());
        if (status.getDescription() != null) {
          context.put("status_description", status.getDescription());
        }
        if (details != null) {
          context.put(ErrorDetails.CONTEXT_KEY, details.context());
        }
        List<String> fingerprint = fingerprint(status, details);
        caller.captureException(
            new ExceptionMechanismException(
                mechanism, status.asRuntimeException(trailers), Thread.currentThread()),
            scope -> {
              scope.setContexts(CLIENT_CONTEXT, (Object) context);
              scope.setFingerprint(fingerprint);
            });
      }
    } catch (Throwable t) {
      log(t, "Could not finish the span of %s", method.fullName);
    }
  }

  /**
   * One issue per method, code and {@code ErrorInfo} reason (unique within its domain, so the
   * domain too): every {@code CARD_DECLINED} from many calls is one issue, a different reason is
   * another. Without it Sentry groups by the event's stack, which is where grpc-java delivered
   * the close: for async stubs its executor's frames, the same for every method and code.
   */
  private List<String> fingerprint(Status status, ErrorDetails details) {
    List<String> fingerprint = new ArrayList<>(5);
    fingerprint.add(OPERATION);
    fingerprint.add(method.fullName);
    fingerprint.add(status.getCode().name());
    if (details != null && details.reason != null) {
      if (details.domain != null) {
        fingerprint.add(details.domain);
      }
      fingerprint.add(details.reason);
    }
    return fingerprint;
  }

  private Breadcrumb breadcrumb(Status status, long nanos) {
    Breadcrumb breadcrumb = new Breadcrumb();
    breadcrumb.setType(BREADCRUMB_TYPE);
    breadcrumb.setCategory(OPERATION);
    breadcrumb.setMessage(method.fullName + " " + status.getCode().name());
    breadcrumb.setLevel(status.isOk() ? SentryLevel.INFO : SentryLevel.WARNING);
    breadcrumb.setData("method", method.fullName);
    breadcrumb.setData("status_code", status.getCode().name());
    if (!status.isOk() && status.getDescription() != null) {
      breadcrumb.setData("status_description", status.getDescription());
    }
    breadcrumb.setData("duration_ms", TimeUnit.NANOSECONDS.toMillis(nanos));
    return breadcrumb;
  }

  private SentryOptions options() {
    return caller.getOptions();
  }

  private void log(Throwable t, String message, Object... args) {
    options().getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: " + message, args);
  }

  /**
   * Runs the caller's callbacks in the caller's scopes, not the span's: a response handler's own
   * spans and events belong to the caller.
   */
  private final class TracedListener
      extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
    TracedListener(Listener<RespT> delegate) {
      super(delegate);
    }

    @Override
    public void onHeaders(Metadata headers) {
      ISentryLifecycleToken token = CallScopes.enter(caller);
      try {
        super.onHeaders(headers);
      } finally {
        token.close();
      }
    }

    @Override
    public void onMessage(RespT message) {
      messagesReceived++;
      ISentryLifecycleToken token = CallScopes.enter(caller);
      try {
        super.onMessage(message);
      } finally {
        token.close();
      }
    }

    @Override
    public void onReady() {
      ISentryLifecycleToken token = CallScopes.enter(caller);
      try {
        super.onReady();
      } finally {
        token.close();
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      ISentryLifecycleToken token = CallScopes.enter(caller);
      try {
        finish(status, trailers);
        super.onClose(status, trailers);
      } finally {
        token.close();
      }
    }
  }
}

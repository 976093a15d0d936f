package dev.sentrygrpc;

import io.grpc.ServerCall;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.SentryLevel;

/**
 * What the lifecycles tell about every finished call beyond its span: the RPC metrics ({@link
 * CallMetrics}) and the call logs ({@link CallLogs}). One per interceptor, and none at all (null)
 * when both are off, so a call then pays nothing, not even for reading the clock.
 */
final class CallTelemetry {
  private final CallMetrics metrics;
  private final CallLogs logs;

  private CallTelemetry(CallMetrics metrics, CallLogs logs) {
    this.metrics = metrics;
    this.logs = logs;
  }

  /** The telemetry of one interceptor, or null when it has none. */
  static CallTelemetry create(SentryGrpcOptions options, CallSide side) {
    CallMetrics metrics = CallMetrics.create(options, side);
    CallLogs logs = CallLogs.create(options, side);
    return metrics == null && logs == null ? null : new CallTelemetry(metrics, logs);
  }

  /** The clock reading a call's duration is measured from. */
  static long start() {
    return System.nanoTime();
  }

  /** A call's duration so far, from {@link #start}. */
  static long since(long startNanos) {
    return System.nanoTime() - startNanos;
  }

  /**
   * A server call ended after {@code nanos}, inside its scopes and before its transaction
   * finishes (a log then still links to the transaction's span).
   */
  void serverCallEnded(
      IScopes scopes,
      RpcMethod method,
      Status status,
      long nanos,
      int received,
      int sent,
      ISpan transaction,
      ServerCall<?, ?> call) {
    try {
      if (metrics != null) {
        metrics.record(
            scopes.getOptions(), method, status.getCode(), nanos, received, sent, transaction);
      }
      if (logs != null) {
        logs.serverCall(scopes, method, status, nanos, call);
      }
    } catch (Throwable t) {
      log(scopes, t, method);
    }
  }

  /** A client call ended after {@code nanos}, in the caller's scopes. */
  void clientCallEnded(
      IScopes caller,
      RpcMethod method,
      Status status,
      long nanos,
      int received,
      int sent,
      ISpan span,
      String authority) {
    try {
      if (metrics != null) {
        metrics.record(caller.getOptions(), method, status.getCode(), nanos, received, sent, span);
      }
      if (logs != null) {
        logs.clientCall(caller, method, status, nanos, authority);
      }
    } catch (Throwable t) {
      log(caller, t, method);
    }
  }

  private static void log(IScopes scopes, Throwable t, RpcMethod method) {
    scopes
        .getOptions()
        .getLogger()
        .log(SentryLevel.DEBUG, t, "sentry-grpc: could not record the call to %s", method.fullName);
  }
}

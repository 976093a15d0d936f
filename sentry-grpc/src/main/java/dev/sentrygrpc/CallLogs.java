package dev.sentrygrpc;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.sentry.IScopes;
import io.sentry.SentryAttributes;
import io.sentry.SentryLogLevel;
import io.sentry.SentryOptions;
import io.sentry.logger.SentryLogParameters;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Sentry log per failed call (the codes the user chose), and optionally one per call (an access
 * log at INFO), both capped by a {@link LogRateLimit}. Only when the user turned Sentry's logs on.
 * Logs go through the call's own scopes, so the SDK links each to the call's trace and span.
 */
final class CallLogs {
  private final CallSide side;
  private final boolean failedCalls;
  private final boolean everyCall;
  private final Set<Status.Code> loggedCodes;
  private final LogRateLimit limit;

  private CallLogs(SentryGrpcOptions options, CallSide side) {
    this.side = side;
    this.failedCalls = options.failedCallLogs();
    this.everyCall = options.accessLogs();
    this.loggedCodes =
        side == CallSide.SERVER ? options.loggedStatusCodes() : options.loggedClientStatusCodes();
    this.limit = new LogRateLimit(options.maxLogsPerSecond(), System.nanoTime());
  }

  /** Logs for one interceptor, or null when neither kind is on. */
  static CallLogs create(SentryGrpcOptions options, CallSide side) {
    return options.failedCallLogs() || options.accessLogs() ? new CallLogs(options, side) : null;
  }

  /** A finished server call, in its scopes. */
  void serverCall(
      IScopes scopes, RpcMethod method, Status status, long nanos, ServerCall<?, ?> call) {
    Map<String, Object> attributes = attributesFor(scopes, method, status, nanos);
    if (attributes == null) {
      return;
    }
    if (scopes.getOptions().isSendDefaultPii()) {
      // The peer is personal data (CONVENTIONS section 4), as on the transaction.
      SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (peer instanceof InetSocketAddress) {
        InetSocketAddress address = (InetSocketAddress) peer;
        attributes.put("client.address", address.getHostString());
        attributes.put("client.port", address.getPort());
      }
    }
    send(scopes, method, status, nanos, attributes);
  }

  /** A finished client call, in the caller's scopes. */
  void clientCall(IScopes caller, RpcMethod method, Status status, long nanos, String authority) {
    Map<String, Object> attributes = attributesFor(caller, method, status, nanos);
    if (attributes == null) {
      return;
    }
    if (authority != null) {
      // Not server.address: on logs and metrics the SDK writes this machine's name there.
      attributes.put("grpc.authority", authority);
    }
    send(caller, method, status, nanos, attributes);
  }

  /** The attributes of this call's log, or null when it gets none. */
  private Map<String, Object> attributesFor(
      IScopes scopes, RpcMethod method, Status status, long nanos) {
    if (!isLogged(status.getCode())) {
      return null;
    }
    SentryOptions options = scopes.getOptions();
    if (!options.getLogs().isEnabled()) {
      return null;
    }
    long suppressed = limit.tryAcquire(System.nanoTime());
    if (suppressed < 0) {
      return null;
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("rpc.system.name", "grpc");
    attributes.put("rpc.method", method.fullName);
    attributes.put("rpc.response.status_code", status.getCode().name());
    attributes.put("grpc.method_type", method.type);
    if (!status.isOk() && status.getDescription() != null) {
      attributes.put("grpc.status_description", status.getDescription());
    }
    attributes.put("grpc.duration_ms", durationMillis(nanos));
    if (suppressed > 0) {
      attributes.put("grpc.logs.suppressed", suppressed);
    }
    return attributes;
  }

  private boolean isLogged(Status.Code code) {
    return everyCall || (failedCalls && loggedCodes.contains(code));
  }

  private void send(
      IScopes scopes, RpcMethod method, Status status, long nanos, Map<String, Object> attributes) {
    SentryLogParameters parameters = SentryLogParameters.create(SentryAttributes.fromMap(attributes));
    parameters.setOrigin(side.origin);
    Status.Code code = status.getCode();
    double millis = durationMillis(nanos);
    if (failedCalls && loggedCodes.contains(code)) {
      // The server failed its caller: an error. A client's failure is often the network's or
      // the server's, which logs its own error: a warning.
      SentryLogLevel level = side == CallSide.SERVER ? SentryLogLevel.ERROR : SentryLogLevel.WARN;
      if (status.getDescription() != null) {
        scopes.logger().log(level, parameters, "%s failed with %s after %.1f ms: %s",
            method.fullName, code.name(), millis, status.getDescription());
      } else {
        scopes.logger().log(level, parameters, "%s failed with %s after %.1f ms",
            method.fullName, code.name(), millis);
      }
    } else {
      scopes.logger().log(SentryLogLevel.INFO, parameters, "%s %s in %.1f ms",
          method.fullName, code.name(), millis);
    }
  }

  private static double durationMillis(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }
}

package dev.sentrygrpc;

import io.grpc.Status;
import io.sentry.ISpan;

/**
 * Writes the span data of CONVENTIONS.md section 1 on a server transaction or a client span: the
 * {@code rpc.*} keys of Sentry's conventions, plus the {@code grpc.*} keys that Node.js services
 * using the documented manual interceptor write, so mixed fleets can query one key.
 */
final class RpcSpanData {
  static final String MESSAGES_RECEIVED = "grpc.messages.received";
  static final String MESSAGES_SENT = "grpc.messages.sent";

  private RpcSpanData() {}

  static void describeCall(ISpan span, RpcMethod method, String authority) {
    span.setData("rpc.system", "grpc");
    span.setData("rpc.service", method.service);
    span.setData("rpc.method", method.fullName);
    span.setData("grpc.method", method.path);
    span.setData("grpc.service", method.service);
    span.setData("grpc.method_type", method.type);
    if (authority != null) {
      int colon = authority.lastIndexOf(':');
      // "[::1]:443" and "host:443" have a port after the last colon; a bare IPv6 literal has not.
      if (colon > 0 && colon > authority.lastIndexOf(']') && colon < authority.length() - 1) {
        span.setData("server.address", authority.substring(0, colon));
        Integer port = parsePort(authority.substring(colon + 1));
        if (port != null) {
          span.setData("server.port", port);
        }
      } else {
        span.setData("server.address", authority);
      }
    }
  }

  static void describeOutcome(ISpan span, Status status, int received, int sent) {
    Status.Code code = status.getCode();
    span.setData("rpc.response.status_code", code.name());
    span.setData("rpc.grpc.status_code", code.value());
    span.setData("grpc.statuscode", code.value());
    if (code != Status.Code.OK && status.getDescription() != null) {
      span.setData("grpc.status_description", status.getDescription());
    }
    span.setData(MESSAGES_RECEIVED, received);
    span.setData(MESSAGES_SENT, sent);
    span.setStatus(SpanStatuses.of(code));
  }

  private static Integer parsePort(String digits) {
    try {
      return Integer.valueOf(digits);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

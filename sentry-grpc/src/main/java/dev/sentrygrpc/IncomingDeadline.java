package dev.sentrygrpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of an incoming call. grpc-java's own server puts it on the call's {@link Context};
 * servers that bridge grpc-java services onto another HTTP/2 stack (Vert.x gRPC, which Quarkus
 * uses with {@code quarkus.grpc.server.use-separate-server=false}) do not, so without the
 * caller's {@code grpc-timeout} header a call the client gave up on would look cancelled, not
 * past its deadline.
 */
final class IncomingDeadline {
  static final Metadata.Key<String> GRPC_TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  /** "TimeoutValue TimeoutUnit": at most 8 digits, then one unit letter (gRPC over HTTP/2). */
  private static final int MAX_LENGTH = 9;

  private IncomingDeadline() {}

  /** The Context's deadline, else the one {@code grpc-timeout} asks for, else null. */
  static Deadline of(Metadata headers) {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      return deadline;
    }
    String timeout = headers.get(GRPC_TIMEOUT);
    return timeout == null ? null : fromTimeout(timeout);
  }

  /** The deadline a {@code grpc-timeout} value sets from now, or null when it is malformed. */
  static Deadline fromTimeout(String value) {
    int length = value.length();
    if (length < 2 || length > MAX_LENGTH) {
      return null;
    }
    long amount = 0;
    for (int i = 0; i < length - 1; i++) {
      char digit = value.charAt(i);
      if (digit < '0' || digit > '9') {
        return null;
      }
      amount = amount * 10 + (digit - '0');
    }
    TimeUnit unit;
    switch (value.charAt(length - 1)) {
      case 'H':
        unit = TimeUnit.HOURS;
        break;
      case 'M':
        unit = TimeUnit.MINUTES;
        break;
      case 'S':
        unit = TimeUnit.SECONDS;
        break;
      case 'm':
        unit = TimeUnit.MILLISECONDS;
        break;
      case 'u':
        unit = TimeUnit.MICROSECONDS;
        break;
      case 'n':
        unit = TimeUnit.NANOSECONDS;
        break;
      default:
        return null;
    }
    return Deadline.after(amount, unit);
  }
}

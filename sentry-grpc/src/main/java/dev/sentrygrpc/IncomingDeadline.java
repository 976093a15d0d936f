package dev.sentrygrpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.util.concurrent.TimeUnit;

/**
 * The deadline the caller gave a call. grpc-java's own server puts it into the call's {@link
 * Context}; other servers that serve grpc-java services enforce it themselves and leave the
 * Context without one (Armeria; Vert.x gRPC, Quarkus's server with {@code
 * quarkus.grpc.server.use-separate-server=false}). Then the caller's {@code grpc-timeout} header
 * says it, and a cancel at that moment is the caller's deadline, not a cancel.
 */
final class IncomingDeadline {
  /** Not grpc-java's internal key: the header as the gRPC protocol defines it, read as text. */
  static final Metadata.Key<String> GRPC_TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  /** The protocol's limit: at most 8 digits. */
  private static final int MAX_DIGITS = 8;

  private IncomingDeadline() {}

  /** The Context's deadline, else the one the {@code grpc-timeout} header gives, else null. */
  static Deadline of(Context context, Metadata headers) {
    Deadline deadline = context.getDeadline();
    if (deadline != null) {
      return deadline;
    }
    String timeout = headers.get(GRPC_TIMEOUT);
    if (timeout == null) {
      return null;
    }
    long nanos = nanos(timeout);
    return nanos < 0 ? null : Deadline.after(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A {@code grpc-timeout} value ({@code TimeoutValue TimeoutUnit}: 1 to 8 digits, then one of
   * {@code H M S m u n}) in nanoseconds, or -1 when it is malformed: the call then has no deadline
   * for Sentry, and goes on as it would.
   */
  static long nanos(String value) {
    int digits = value.length() - 1;
    if (digits < 1 || digits > MAX_DIGITS) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < digits; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    switch (value.charAt(digits)) {
      case 'n':
        return amount;
      case 'u':
        return TimeUnit.MICROSECONDS.toNanos(amount);
      case 'm':
        return TimeUnit.MILLISECONDS.toNanos(amount);
      case 'S':
        return TimeUnit.SECONDS.toNanos(amount);
      case 'M':
        return TimeUnit.MINUTES.toNanos(amount);
      case 'H':
        return TimeUnit.HOURS.toNanos(amount);
      default:
        return -1;
    }
  }
}

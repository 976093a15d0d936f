package dev.sentrygrpc;

import io.grpc.Status;
import io.sentry.SpanStatus;
import java.util.EnumMap;
import java.util.Map;

/** gRPC status codes to Sentry span statuses: one to one by name, but INTERNAL. */
final class SpanStatuses {
  private static final Map<Status.Code, SpanStatus> BY_CODE = new EnumMap<>(Status.Code.class);

  static {
    for (Status.Code code : Status.Code.values()) {
      BY_CODE.put(code, code == Status.Code.INTERNAL ? SpanStatus.INTERNAL_ERROR : byName(code));
    }
  }

  private SpanStatuses() {}

  static SpanStatus of(Status.Code code) {
    return BY_CODE.get(code);
  }

  private static SpanStatus byName(Status.Code code) {
    try {
      return SpanStatus.valueOf(code.name());
    } catch (IllegalArgumentException e) {
      // A code a future grpc-java adds that Sentry has no name for.
      return SpanStatus.UNKNOWN_ERROR;
    }
  }
}

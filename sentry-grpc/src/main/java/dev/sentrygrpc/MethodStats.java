package dev.sentrygrpc;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The call statistics of one method on one side, one {@link CodeStats} per status code, found by
 * the code's position: no map, no lookup by name on the call path.
 */
final class MethodStats {
  private static final Status.Code[] CODES = Status.Code.values();

  final String method;
  private final CallSide side;
  private final String methodType;
  private final boolean streaming;
  private final AtomicReferenceArray<CodeStats> byCode = new AtomicReferenceArray<>(CODES.length);

  MethodStats(CallSide side, String method, String methodType, boolean streaming) {
    this.side = side;
    this.method = method;
    this.methodType = methodType;
    this.streaming = streaming;
  }

  CodeStats of(Status.Code code) {
    int index = code.ordinal();
    CodeStats stats = byCode.get(index);
    if (stats != null) {
      return stats;
    }
    CodeStats created = new CodeStats(side, method, methodType, streaming, code);
    return byCode.compareAndSet(index, null, created) ? created : byCode.get(index);
  }

  void drain(CodeStats.Sink sink) {
    for (int i = 0; i < CODES.length; i++) {
      CodeStats stats = byCode.get(i);
      if (stats != null) {
        stats.drain(sink);
      }
    }
  }
}

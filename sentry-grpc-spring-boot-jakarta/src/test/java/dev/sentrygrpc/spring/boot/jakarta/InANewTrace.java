package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sentry.ISentryLifecycleToken;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentryTransaction;
import dev.sentrygrpc.testing.SentryReceiver;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A call made from scopes of its own with a fresh trace, so a test finds what the call produced
 * by trace id (calls from one thread's scopes would all share that thread's trace).
 */
final class InANewTrace {
  static final Duration DELIVERY = Duration.ofSeconds(30);

  final SentryId traceId;
  /** The call's failure, or null when it succeeded. */
  final StatusRuntimeException failure;

  private InANewTrace(SentryId traceId, StatusRuntimeException failure) {
    this.traceId = traceId;
    this.failure = failure;
  }

  static InANewTrace call(Runnable call) {
    try (ISentryLifecycleToken ignored = Sentry.forkedScopes("test").makeCurrent()) {
      SentryId traceId = Sentry.continueTrace(null, null).getTraceId();
      return new InANewTrace(traceId, catchThrowableOfType(StatusRuntimeException.class, call::run));
    }
  }

  Status.Code status() {
    return failure == null ? Status.Code.OK : failure.getStatus().getCode();
  }

  /** The server's transaction of the call; once it arrived, so had the call's events. */
  SentryTransaction transaction(SentryReceiver receiver, String method) {
    return receiver.awaitTransaction(
        t -> method.equals(t.getTransaction())
            && traceId.equals(t.getContexts().getTrace().getTraceId()),
        DELIVERY);
  }

  List<SentryEvent> events(SentryReceiver receiver) {
    Sentry.flush(DELIVERY.toMillis());
    return receiver.events().stream()
        .filter(e -> traceId.equals(e.getContexts().getTrace().getTraceId()))
        .collect(Collectors.toList());
  }
}

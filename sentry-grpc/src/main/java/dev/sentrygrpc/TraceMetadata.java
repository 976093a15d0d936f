package dev.sentrygrpc;

import io.grpc.Metadata;
import io.sentry.BaggageHeader;
import io.sentry.SentryTraceHeader;
import io.sentry.W3CTraceparentHeader;
import java.util.ArrayList;
import java.util.List;

/** The metadata keys that carry a trace between services, built once. */
final class TraceMetadata {
  static final Metadata.Key<String> SENTRY_TRACE =
      Metadata.Key.of(SentryTraceHeader.SENTRY_TRACE_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> BAGGAGE =
      Metadata.Key.of(BaggageHeader.BAGGAGE_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of(W3CTraceparentHeader.TRACEPARENT_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private TraceMetadata() {}

  /** Every {@code baggage} value, in order, or {@code null} when there is none. */
  static List<String> baggage(Metadata headers) {
    Iterable<String> values = headers.getAll(BAGGAGE);
    if (values == null) {
      return null;
    }
    List<String> list = new ArrayList<>(2);
    for (String value : values) {
      list.add(value);
    }
    return list;
  }
}

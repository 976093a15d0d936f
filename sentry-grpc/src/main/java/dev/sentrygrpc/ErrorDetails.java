package dev.sentrygrpc;

import io.sentry.ISpan;
import java.util.Collections;
import java.util.Map;

/**
 * The rich error details ({@code google.rpc.Status} in {@code grpc-status-details-bin}) of one
 * failed call, as Sentry shows them: flat {@code grpc.error.*} span data, and the {@code
 * error_details} entry of the call's {@code grpc} / {@code grpc.client} context. Plain Java
 * values only, already size-bounded and filtered by the data-protection rules when {@link
 * ErrorDetailsParser} built them, so this class never touches protobuf.
 */
final class ErrorDetails {
  /** The entry of the {@code grpc} / {@code grpc.client} context that holds {@link #context()}. */
  static final String CONTEXT_KEY = "error_details";

  static final String REASON = "grpc.error.reason";
  static final String DOMAIN = "grpc.error.domain";
  static final String FIELD_VIOLATIONS = "grpc.error.field_violations";
  static final String RETRY_DELAY_MS = "grpc.error.retry_delay_ms";
  static final String RESOURCE_TYPE = "grpc.error.resource_type";
  static final String RESOURCE_NAME = "grpc.error.resource_name";
  static final String QUOTA_SUBJECTS = "grpc.error.quota_subjects";
  static final String PRECONDITION_TYPES = "grpc.error.precondition_types";

  /** {@code ErrorInfo.reason}, or null: with the domain, what groups client failure events. */
  final String reason;
  /** {@code ErrorInfo.domain}, or null. */
  final String domain;

  private final Map<String, Object> spanData;
  private final Map<String, Object> context;

  ErrorDetails(String reason, String domain, Map<String, Object> spanData, Map<String, Object> context) {
    this.reason = reason;
    this.domain = domain;
    this.spanData = Collections.unmodifiableMap(spanData);
    this.context = Collections.unmodifiableMap(context);
  }

  /** Writes the {@code grpc.error.*} data on a server transaction or a client span. */
  void describe(ISpan span) {
    for (Map.Entry<String, Object> entry : spanData.entrySet()) {
      span.setData(entry.getKey(), entry.getValue());
    }
  }

  /** What events show: every detail that may be sent, nested as in {@code google.rpc}. */
  Map<String, Object> context() {
    return context;
  }

  Map<String, Object> spanData() {
    return spanData;
  }

  @Override
  public String toString() {
    return "ErrorDetails" + context;
  }
}

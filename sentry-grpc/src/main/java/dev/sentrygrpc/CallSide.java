package dev.sentrygrpc;

import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which end of a call the metrics and logs describe: the names and origin they carry, and which
 * codes count as an error there (OpenTelemetry's RPC conventions: {@code error.type} is set only
 * for those).
 */
enum CallSide {
  SERVER(
      "rpc.server.call.duration",
      "grpc.server.calls",
      "grpc.server.messages.received",
      "grpc.server.messages.sent",
      TracedServerCall.ORIGIN,
      // A server "fails" only for codes that say the server did not do its job; NOT_FOUND,
      // INVALID_ARGUMENT and the like are the service answering correctly.
      EnumSet.of(
          Status.Code.UNKNOWN,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.UNIMPLEMENTED,
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DATA_LOSS)),
  CLIENT(
      "rpc.client.call.duration",
      "grpc.client.calls",
      "grpc.client.messages.received",
      "grpc.client.messages.sent",
      TracedClientCall.ORIGIN,
      // For the caller, every code but OK is a call that did not give it what it asked for.
      EnumSet.complementOf(EnumSet.of(Status.Code.OK)));

  /** Distribution of call durations in seconds, one point per latency bucket and interval. */
  final String durationMetric;
  /** Counter of finished calls per interval. */
  final String callsMetric;
  /** Counters of messages on streaming calls per interval. */
  final String messagesReceivedMetric;

  final String messagesSentMetric;
  /** {@code sentry.origin} of what this side emits. */
  final String origin;

  private final Set<Status.Code> errors;

  CallSide(
      String durationMetric,
      String callsMetric,
      String messagesReceivedMetric,
      String messagesSentMetric,
      String origin,
      Set<Status.Code> errors) {
    this.durationMetric = durationMetric;
    this.callsMetric = callsMetric;
    this.messagesReceivedMetric = messagesReceivedMetric;
    this.messagesSentMetric = messagesSentMetric;
    this.origin = origin;
    this.errors = errors;
  }

  boolean isError(Status.Code code) {
    return errors.contains(code);
  }
}

package dev.sentrygrpc;

import io.sentry.Baggage;
import io.sentry.BaggageHeader;
import io.sentry.IScopes;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.PropagationContext;
import io.sentry.ScopeType;
import io.sentry.SentryTraceHeader;
import io.sentry.SentryTracer;
import io.sentry.Span;
import io.sentry.SpanContext;
import io.sentry.SpanId;
import io.sentry.W3CTraceparentHeader;
import io.sentry.protocol.SentryId;
import io.sentry.util.TracingUtils;
import java.util.List;
import java.util.Objects;

/**
 * The trace headers of an outgoing call: what the SDK's {@link TracingUtils#trace} returns, without
 * encoding the same {@code baggage} value again on every call of a trace.
 *
 * <p>Why: {@code TracingUtils.trace} serialises the trace's dynamic sampling context into the
 * {@code baggage} string on every call (URL-encoding and a regular expression per key and value:
 * 1.5–2.5 µs and 8–13 KB per call, see BENCHMARKS.md), although the context of a trace stops
 * changing once the SDK freezes it. {@code sentry-trace} and {@code traceparent} are per span and
 * stay the SDK's work on every call.
 *
 * <p>When the remembered value is used, from the SDK's sources (8.22.0 to 8.63.0):
 *
 * <ul>
 *   <li>The SDK's value is {@code BaggageHeader.fromBaggageAndOutgoingHeader(baggage,
 *       thirdParty)}, a function of the {@link Baggage}'s members, its sample rate and sample rand,
 *       and the caller's third-party members. This class calls that same function.
 *   <li>Which {@code Baggage}: with a span, its transaction's ({@code
 *       SentryTracer.getSpanContext().getBaggage()}), used here only when the transaction is known
 *       for certain (the parent is a {@link SentryTracer}, or the span is the newest open child of
 *       the scope's {@code SentryTracer}); without a span, the scope's propagation context's. Any
 *       other span (another tracing bridge, a span of some other transaction) goes to {@code
 *       TracingUtils.trace} as before.
 *   <li>Only once the SDK has frozen the baggage ({@code isMutable()} false): a mutable one goes to
 *       {@code TracingUtils.trace}, which freezes it. A frozen baggage ignores its setters except
 *       {@code forceSetSampleRate} (a sampling decision set on a span context) and {@code
 *       forceSetReplayId} (session replay in buffer mode, since 8.5x), so the replay id, sample rate
 *       and sample rand are read on every call and are part of what must match, as are the
 *       third-party members.
 * </ul>
 *
 * <p>What is remembered is read before it is encoded, so a value changed meanwhile makes the next
 * call miss and encode again; it never keeps an old value under a new key. The guard is {@code
 * OutgoingTraceHeadersTest}, which compares every header with {@code TracingUtils.trace} across
 * the life of a trace and runs against every SDK version of the compatibility matrix: an SDK that
 * changes its baggage after freezing it fails that test.
 *
 * <p>A small table, one entry per slot, indexed by the baggage's identity hash: concurrent traces
 * share it without locks (entries are immutable and published through final fields; a lost race
 * costs one more encoding), and it holds at most {@link #SLOTS} baggages of finished traces.
 */
final class OutgoingTraceHeaders {
  static final int SLOTS = 64;

  private final Remembered[] slots = new Remembered[SLOTS];

  /** The same as {@code TracingUtils.trace(scopes, thirdPartyBaggage, span)}. */
  TracingUtils.TracingHeaders trace(
      IScopes scopes, List<String> thirdPartyBaggage, ISpan span, ISpan parent) {
    if (span != null && !span.isNoOp()) {
      Baggage baggage = transactionBaggage(scopes, span, parent);
      if (baggage == null || baggage.isMutable()) {
        return TracingUtils.trace(scopes, thirdPartyBaggage, span);
      }
      SentryTraceHeader sentryTrace = span.toSentryTrace();
      SpanContext context = span.getSpanContext();
      return new TracingUtils.TracingHeaders(
          sentryTrace,
          baggageHeader(baggage, thirdPartyBaggage),
          traceparent(scopes, context.getTraceId(), context.getSpanId(), sentryTrace.isSampled()));
    }
    PropagationContext context = propagationContext(scopes);
    if (context == null || context.getBaggage().isMutable()) {
      return TracingUtils.trace(scopes, thirdPartyBaggage, span);
    }
    return new TracingUtils.TracingHeaders(
        new SentryTraceHeader(context.getTraceId(), context.getSpanId(), context.isSampled()),
        baggageHeader(context.getBaggage(), thirdPartyBaggage),
        traceparent(scopes, context.getTraceId(), context.getSpanId(), context.isSampled()));
  }

  /** The {@code traceparent} header when the SDK propagates it, else null (as TracingUtils). */
  private static W3CTraceparentHeader traceparent(
      IScopes scopes, SentryId traceId, SpanId spanId, Boolean sampled) {
    return scopes.getOptions().isPropagateTraceparent()
        ? new W3CTraceparentHeader(traceId, spanId, sampled)
        : null;
  }

  /**
   * The baggage {@code span.toBaggageHeader} would encode, or null when its transaction is not
   * known for certain. {@code span} is {@code parent} or a child just opened under it.
   */
  private static Baggage transactionBaggage(IScopes scopes, ISpan span, ISpan parent) {
    SentryTracer tracer = null;
    if (parent instanceof SentryTracer) {
      // A SentryTracer's children are Spans of that tracer (SentryTracer.createChild).
      tracer = (SentryTracer) parent;
    } else if (span instanceof Span) {
      ITransaction transaction = scopes.getTransaction();
      // Only the tracer's own children can be its latest active span.
      if (transaction instanceof SentryTracer && transaction.getLatestActiveSpan() == span) {
        tracer = (SentryTracer) transaction;
      }
    }
    return tracer != null ? tracer.getSpanContext().getBaggage() : null;
  }

  /** The propagation context {@code TracingUtils.trace} reads when there is no span. */
  private static PropagationContext propagationContext(IScopes scopes) {
    PropagationContext[] found = new PropagationContext[1];
    scopes.configureScope(ScopeType.COMBINED, scope -> found[0] = scope.getPropagationContext());
    return found[0];
  }

  /** {@code BaggageHeader.fromBaggageAndOutgoingHeader} for a frozen baggage, remembered. */
  private BaggageHeader baggageHeader(Baggage baggage, List<String> thirdPartyBaggage) {
    int slot = System.identityHashCode(baggage) & (SLOTS - 1);
    Remembered known = slots[slot];
    if (known != null && known.isFor(baggage, thirdPartyBaggage)) {
      return known.header;
    }
    // The key first, then the encoding: see the class comment.
    Remembered fresh =
        new Remembered(
            baggage,
            baggage.getReplayId(),
            baggage.getSampleRate(),
            baggage.getSampleRand(),
            thirdPartyBaggage,
            BaggageHeader.fromBaggageAndOutgoingHeader(baggage, thirdPartyBaggage));
    slots[slot] = fresh;
    return fresh.header;
  }

  /** One frozen baggage, the values it may still change, and its encoded header. Immutable. */
  private static final class Remembered {
    final Baggage baggage;
    final String replayId;
    final Double sampleRate;
    final Double sampleRand;
    final List<String> thirdPartyBaggage;
    final BaggageHeader header;

    Remembered(
        Baggage baggage,
        String replayId,
        Double sampleRate,
        Double sampleRand,
        List<String> thirdPartyBaggage,
        BaggageHeader header) {
      this.baggage = baggage;
      this.replayId = replayId;
      this.sampleRate = sampleRate;
      this.sampleRand = sampleRand;
      this.thirdPartyBaggage = thirdPartyBaggage;
      this.header = header;
    }

    boolean isFor(Baggage other, List<String> otherThirdPartyBaggage) {
      return baggage == other
          && !other.isMutable()
          && Objects.equals(replayId, other.getReplayId())
          && Objects.equals(sampleRate, other.getSampleRate())
          && Objects.equals(sampleRand, other.getSampleRand())
          && Objects.equals(thirdPartyBaggage, otherThirdPartyBaggage);
    }
  }
}

package dev.sentrygrpc;

import io.grpc.Status;
import io.sentry.ISpan;
import io.sentry.SpanContext;
import io.sentry.SpanId;
import io.sentry.protocol.SentryId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls of one method that ended with one status code, on one side: how many fell in each
 * {@link LatencyBuckets latency bucket}, a sampled call's trace per bucket, and for streaming
 * methods the messages. Written by every call, read by the flush.
 *
 * <p>A call costs one bucket lookup and one {@link LongAdder} increment (striped under contention,
 * one CAS without); buckets are created the first time a call lands in them, so memory follows the
 * latencies actually seen. Counters are never reset: the flush sends what was added since it last
 * looked, so an increment racing with it lands in this interval or the next, never in neither.
 */
final class CodeStats {
  final Status.Code code;
  /** The attributes of every point sent for these calls. */
  final Map<String, Object> attributes;

  private final AtomicReferenceArray<Bucket> buckets =
      new AtomicReferenceArray<>(LatencyBuckets.COUNT);
  private final Counter messagesReceived;
  private final Counter messagesSent;

  CodeStats(CallSide side, String method, String methodType, boolean streaming, Status.Code code) {
    this.code = code;
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("rpc.system.name", "grpc");
    attributes.put("rpc.method", method);
    attributes.put("rpc.response.status_code", code.name());
    if (side.isError(code)) {
      attributes.put("error.type", code.name());
    }
    attributes.put("grpc.method_type", methodType);
    this.attributes = Collections.unmodifiableMap(attributes);
    this.messagesReceived = streaming ? new Counter() : null;
    this.messagesSent = streaming ? new Counter() : null;
  }

  /** One call, on its own thread. */
  void record(long nanos, int received, int sent, ISpan span) {
    int index = LatencyBuckets.indexOf(nanos);
    Bucket bucket = buckets.get(index);
    if (bucket == null) {
      bucket = bucketAt(index);
    }
    bucket.increment();
    if (span != null && Boolean.TRUE.equals(span.isSampled())) {
      // Only sampled calls: their trace is the one Sentry has. One small object per sampled call,
      // which allocates kilobytes for its transaction anyway; the latest one wins.
      SpanContext context = span.getSpanContext();
      bucket.exemplar = new Exemplar(context.getTraceId(), context.getSpanId());
    }
    if (messagesReceived != null) {
      messagesReceived.add(received);
      messagesSent.add(sent);
    }
  }

  private Bucket bucketAt(int index) {
    Bucket created = new Bucket();
    return buckets.compareAndSet(index, null, created) ? created : buckets.get(index);
  }

  /**
   * Hands what was recorded since the last drain to {@code sink}: the calls per bucket, then the
   * messages. Only the flush calls it, never two at once.
   */
  void drain(Sink sink) {
    long calls = 0;
    Exemplar slowest = null;
    for (int i = 0; i < LatencyBuckets.COUNT; i++) {
      Bucket bucket = buckets.get(i);
      if (bucket == null) {
        continue;
      }
      long added = bucket.added();
      if (added == 0) {
        continue;
      }
      Exemplar exemplar = bucket.takeExemplar();
      if (exemplar != null) {
        slowest = exemplar;
      }
      calls += added;
      sink.bucket(this, i, added, exemplar);
    }
    if (calls == 0) {
      return;
    }
    long received = messagesReceived != null ? messagesReceived.added() : 0;
    long sent = messagesSent != null ? messagesSent.added() : 0;
    sink.totals(this, calls, received, sent, slowest);
  }

  /** Where a drain goes: the flush turns it into metric points. */
  interface Sink {
    /** {@code calls} calls in one bucket; the exemplar is a sampled one of them, or null. */
    void bucket(CodeStats stats, int bucket, long calls, Exemplar exemplar);

    /** After the buckets: the calls in all of them, and the messages of streaming calls. */
    void totals(CodeStats stats, long calls, long received, long sent, Exemplar exemplar);
  }

  /** The trace and span of one sampled call, so a point can link to a trace Sentry has. */
  static final class Exemplar {
    final SentryId traceId;
    final SpanId spanId;

    Exemplar(SentryId traceId, SpanId spanId) {
      this.traceId = traceId;
      this.spanId = spanId;
    }
  }

  /** A counter that remembers, for the flush, how much of it was sent already. */
  private static class Counter extends LongAdder {
    private static final long serialVersionUID = 1L;

    /** Only the flush reads and writes it. */
    private long drained;

    long added() {
      long total = sum();
      long added = total - drained;
      drained = total;
      return added;
    }
  }

  private static final class Bucket extends Counter {
    private static final long serialVersionUID = 1L;

    private static final AtomicReferenceFieldUpdater<Bucket, Exemplar> EXEMPLAR =
        AtomicReferenceFieldUpdater.newUpdater(Bucket.class, Exemplar.class, "exemplar");

    volatile Exemplar exemplar;

    Exemplar takeExemplar() {
      return exemplar == null ? null : EXEMPLAR.getAndSet(this, null);
    }
  }
}

package dev.sentrygrpc;

/**
 * The fixed, log-linear latency buckets every (method, status code) counts its calls in: each
 * power of two of nanoseconds is cut into 8 equal buckets, so a bucket is at most 1/8 as wide as
 * its lower bound, and its midpoint is within 6.25% of every duration it holds (HdrHistogram's
 * layout with one significant binary digit more than a plain power-of-two histogram).
 *
 * <p>Durations below 2<sup>10</sup> ns (~1 µs) share the first bucket, durations from 2<sup>45</sup>
 * ns (~9.8 h) on share the last one: {@value #COUNT} buckets in all. Only the math lives here, no
 * state: finding a bucket is a few shifts, no loop, no allocation.
 */
final class LatencyBuckets {
  static final int SUB_BUCKET_BITS = 3;
  static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
  /** Durations below 2^MIN_EXPONENT ns share bucket 0. */
  static final int MIN_EXPONENT = 10;
  /** Durations of 2^MAX_EXPONENT ns and more share the last bucket. */
  static final int MAX_EXPONENT = 45;

  static final int COUNT = 2 + (MAX_EXPONENT - MIN_EXPONENT) * SUB_BUCKETS;

  /** The largest relative distance between a bucket's midpoint and a duration in it. */
  static final double MAX_RELATIVE_ERROR = 1.0 / (2 * SUB_BUCKETS);

  private LatencyBuckets() {}

  /** The bucket of a duration; negative durations (a clock that went back) count as zero. */
  static int indexOf(long nanos) {
    if (nanos < (1L << MIN_EXPONENT)) {
      return 0;
    }
    if (nanos >= (1L << MAX_EXPONENT)) {
      return COUNT - 1;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    int sub = (int) (nanos >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
    return 1 + (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub;
  }

  /** The duration a bucket stands for when it is sent: its midpoint, in nanoseconds. */
  static double representativeNanos(int index) {
    if (index <= 0) {
      return (1L << MIN_EXPONENT) / 2.0;
    }
    if (index >= COUNT - 1) {
      return (double) (1L << MAX_EXPONENT);
    }
    return (lowerBound(index) + upperBound(index)) / 2.0;
  }

  /** The smallest duration in a bucket, in nanoseconds. */
  static long lowerBound(int index) {
    if (index <= 0) {
      return 0;
    }
    if (index >= COUNT - 1) {
      return 1L << MAX_EXPONENT;
    }
    int exponent = MIN_EXPONENT + (index - 1) / SUB_BUCKETS;
    int sub = (index - 1) % SUB_BUCKETS;
    return (long) (SUB_BUCKETS + sub) << (exponent - SUB_BUCKET_BITS);
  }

  /** The first duration past a bucket, in nanoseconds ({@code Long.MAX_VALUE} for the last). */
  static long upperBound(int index) {
    if (index >= COUNT - 1) {
      return Long.MAX_VALUE;
    }
    if (index <= 0) {
      return 1L << MIN_EXPONENT;
    }
    return lowerBound(index + 1);
  }
}

package dev.sentrygrpc;

import io.sentry.FilterString;
import io.sentry.SentryOptions;
import io.sentry.util.SpanUtils;
import java.util.List;

/**
 * Whether the SDK's {@code ignoredSpanOrigins} rule out one origin. The SDK's matcher tries each
 * entry as a regular expression, too costly for every call, so the answer is kept until the
 * options' list changes (a new {@code Sentry.init}, or a new list set on the options).
 */
final class IgnoredOrigin {
  private final String origin;
  private volatile Answer last = new Answer(null, false);

  IgnoredOrigin(String origin) {
    this.origin = origin;
  }

  boolean isIgnored(SentryOptions options) {
    List<FilterString> ignored = options.getIgnoredSpanOrigins();
    Answer answer = last;
    if (answer.ignoredOrigins != ignored) {
      answer = new Answer(ignored, ignored != null && SpanUtils.isIgnored(ignored, origin));
      last = answer;
    }
    return answer.ignored;
  }

  private static final class Answer {
    final List<FilterString> ignoredOrigins;
    final boolean ignored;

    Answer(List<FilterString> ignoredOrigins, boolean ignored) {
      this.ignoredOrigins = ignoredOrigins;
      this.ignored = ignored;
    }
  }
}

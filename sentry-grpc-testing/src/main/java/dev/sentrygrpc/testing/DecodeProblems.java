package dev.sentrygrpc.testing;

import io.sentry.ILogger;
import io.sentry.SentryLevel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Collects what the SDK's deserializers complain about. They never throw: they log and return null
 * (or skip a list element), so their log is the only place that says why something did not
 * decode. Collected per thread, because several requests may be decoded at once.
 */
final class DecodeProblems implements ILogger {

  private final ThreadLocal<List<String>> collected = new ThreadLocal<>();

  /** Starts collecting on this thread, discarding anything collected before. */
  void begin() {
    collected.set(new ArrayList<String>());
  }

  /** Stops collecting on this thread and returns what was collected since {@link #begin()}. */
  List<String> end() {
    List<String> problems = collected.get();
    collected.remove();
    return problems == null ? Collections.<String>emptyList() : problems;
  }

  @Override
  public void log(SentryLevel level, String message, Object... args) {
    record(format(message, args), null);
  }

  @Override
  public void log(SentryLevel level, String message, Throwable throwable) {
    record(message, throwable);
  }

  @Override
  public void log(SentryLevel level, Throwable throwable, String message, Object... args) {
    record(format(message, args), throwable);
  }

  @Override
  public boolean isEnabled(SentryLevel level) {
    return level != null && level.ordinal() >= SentryLevel.WARNING.ordinal();
  }

  private void record(String message, Throwable throwable) {
    List<String> problems = collected.get();
    if (problems == null) {
      return;
    }
    String text = message == null ? "" : message.trim();
    if (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    // The deserializers often log an exception with its own message: say it once.
    for (Throwable cause = throwable; cause != null; cause = cause.getCause()) {
      String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
      if (!text.contains(why)) {
        text = text.isEmpty() ? why : text + ": " + why;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    if (!problems.contains(text)) {
      problems.add(text);
    }
  }

  private static String format(String message, Object... args) {
    if (args == null || args.length == 0) {
      return message;
    }
    try {
      return String.format(Locale.ROOT, message, args);
    } catch (RuntimeException e) {
      return message;
    }
  }
}

package dev.sentrygrpc;

import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Picks the request metadata that may be attached to Sentry data (CONVENTIONS.md section 4):
 * sensitive and binary keys never; other keys only with {@code sendDefaultPii} or when the user
 * listed them.
 */
final class MetadataCapture {
  private static final Set<String> SENSITIVE_KEYS =
      new HashSet<>(
          Arrays.asList(
              "authorization",
              "proxy-authorization",
              "cookie",
              "set-cookie",
              "x-api-key",
              "x-auth-token",
              "x-csrf-token",
              "x-forwarded-for",
              "x-real-ip"));
  private static final String[] SENSITIVE_PARTS = {
    "token", "secret", "password", "session", "api-key", "apikey", "auth", "credential", "private"
  };
  /** Trace headers travel as the trace itself; repeating them as data adds nothing. */
  private static final Set<String> TRACE_KEYS =
      new HashSet<>(Arrays.asList("sentry-trace", "baggage", "traceparent", "tracestate"));

  private final List<Metadata.Key<String>> listedKeys;

  MetadataCapture(Set<String> listed) {
    List<Metadata.Key<String>> keys = new ArrayList<>();
    for (String name : listed) {
      if (isAllowed(name)) {
        keys.add(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
      }
    }
    this.listedKeys = Collections.unmodifiableList(keys);
  }

  /** Whether metadata may be attached at all for these settings; false keeps calls allocation-free. */
  boolean capturesAnything(boolean sendDefaultPii) {
    return sendDefaultPii || !listedKeys.isEmpty();
  }

  /** The attachable metadata, keys lower case, repeated values joined with ", "; or null. */
  Map<String, String> capture(Metadata headers, boolean sendDefaultPii) {
    Map<String, String> captured = null;
    if (sendDefaultPii) {
      for (String name : headers.keys()) {
        if (isAllowed(name)) {
          captured = put(captured, name, headers.getAll(asciiKey(name)));
        }
      }
    } else {
      for (Metadata.Key<String> key : listedKeys) {
        captured = put(captured, key.name(), headers.getAll(key));
      }
    }
    return captured;
  }

  static boolean isSensitive(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (SENSITIVE_KEYS.contains(lower)) {
      return true;
    }
    for (String part : SENSITIVE_PARTS) {
      if (lower.contains(part)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAllowed(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !lower.endsWith(Metadata.BINARY_HEADER_SUFFIX)
        && !lower.startsWith(":")
        && !TRACE_KEYS.contains(lower)
        && !isSensitive(lower);
  }

  private static Metadata.Key<String> asciiKey(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  private static Map<String, String> put(
      Map<String, String> captured, String name, Iterable<String> values) {
    if (values == null) {
      return captured;
    }
    StringBuilder joined = new StringBuilder();
    for (String value : values) {
      if (joined.length() > 0) {
        joined.append(", ");
      }
      joined.append(value);
    }
    Map<String, String> map = captured != null ? captured : new LinkedHashMap<String, String>();
    map.put(name.toLowerCase(Locale.ROOT), joined.toString());
    return map;
  }
}

package dev.sentrygrpc;

import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code baggage} a caller put on an outgoing call itself. The SDK keeps third-party members as
 * they are, so malformed ones (no key, no {@code =}, stray commas) are dropped here before they
 * would be sent on.
 *
 * <p>The SDK writes the caller's members first and appends its own, dropping each of its own that
 * would take the header past 64 members or 8192 characters (the limits of the W3C spec). A caller's
 * long baggage would then silently push out {@code sentry-trace_id} and the rest of the dynamic
 * sampling context, so the caller's members are kept only while they leave room for Sentry's.
 */
final class OutgoingBaggage {
  /** The SDK's limits for one baggage header. */
  static final int MAX_MEMBERS = 64;

  static final int MAX_LENGTH = 8192;

  /**
   * Left free for Sentry's own members: the dynamic sampling context has about a dozen keys
   * (trace_id, public_key, release, environment, transaction, sample_rate, sample_rand, sampled,
   * replay_id, org_id, ...), a few hundred characters unless release or transaction are long.
   */
  static final int SENTRY_MEMBERS = 16;

  static final int SENTRY_LENGTH = 1024;

  private static final String SENTRY_PREFIX = "sentry-";

  private OutgoingBaggage() {}

  /**
   * The well-formed third-party members of every existing {@code baggage} value, in order and
   * within the budget, or null when there is none.
   */
  static List<String> wellFormedMembers(Metadata headers) {
    Iterable<String> values = headers.getAll(TraceMetadata.BAGGAGE);
    if (values == null) {
      return null;
    }
    List<String> members = new ArrayList<>();
    int length = 0;
    for (String value : values) {
      for (String member : value.split(",", -1)) {
        String trimmed = member.trim();
        // Sentry's members are the SDK's to write; stale ones the caller copied are replaced.
        if (trimmed.startsWith(SENTRY_PREFIX) || !isWellFormed(trimmed)) {
          continue;
        }
        if (members.size() >= MAX_MEMBERS - SENTRY_MEMBERS) {
          return members;
        }
        int grown = length + (members.isEmpty() ? 0 : 1) + trimmed.length();
        if (grown > MAX_LENGTH - SENTRY_LENGTH) {
          // Too long to fit; a shorter member after it may still.
          continue;
        }
        members.add(trimmed);
        length = grown;
      }
    }
    return members.isEmpty() ? null : members;
  }

  /** A W3C baggage list member: {@code key=value}, the key a token, properties allowed. */
  static boolean isWellFormed(String member) {
    int equals = member.indexOf('=');
    if (equals <= 0) {
      return false;
    }
    for (int i = 0; i < equals; i++) {
      if (!isTokenChar(member.charAt(i))) {
        return false;
      }
    }
    for (int i = equals + 1; i < member.length(); i++) {
      char c = member.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenChar(char c) {
    if (c <= 0x20 || c >= 0x7f) {
      return false;
    }
    return "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
  }
}

package dev.sentrygrpc;

import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code baggage} a caller put on an outgoing call itself. The SDK keeps third-party members
 * as they are, so malformed ones (no key, no {@code =}, stray commas) are dropped here before they
 * would be sent on.
 */
final class OutgoingBaggage {
  private OutgoingBaggage() {}

  /** The well-formed members of every existing {@code baggage} value, or null when there is none. */
  static List<String> wellFormedMembers(Metadata headers) {
    Iterable<String> values = headers.getAll(TraceMetadata.BAGGAGE);
    if (values == null) {
      return null;
    }
    List<String> members = new ArrayList<>();
    for (String value : values) {
      for (String member : value.split(",", -1)) {
        String trimmed = member.trim();
        if (isWellFormed(trimmed)) {
          members.add(trimmed);
        }
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

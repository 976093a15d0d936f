package dev.sentrygrpc;

import io.sentry.SentryOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The SDK's {@code tracePropagationTargets} applied to gRPC. The target of a call is the channel
 * authority, a slash and the full method name, e.g. {@code
 * inventory.internal:50051/shop.InventoryService/Check}; an entry matches when the target contains
 * it or matches it as a regular expression, as the SDK matches URLs. The entries are compiled once
 * per list, and the default ({@code .*}) lets everything through without building the target.
 */
final class PropagationTargets {
  private static final String MATCH_ALL = ".*";

  private volatile Compiled last = new Compiled(null);

  boolean allows(SentryOptions options, String authority, RpcMethod method) {
    List<String> targets = options.getTracePropagationTargets();
    Compiled compiled = last;
    if (compiled.source != targets) {
      compiled = new Compiled(targets);
      last = compiled;
    }
    return compiled.allows(authority, method);
  }

  static String target(String authority, RpcMethod method) {
    return (authority != null ? authority : "") + "/" + method.fullName;
  }

  private static final class Compiled {
    final List<String> source;
    final boolean matchAll;
    final List<String> entries;
    final List<Pattern> patterns;

    Compiled(List<String> source) {
      this.source = source;
      List<String> entries = new ArrayList<>();
      List<Pattern> patterns = new ArrayList<>();
      boolean matchAll = source == null;
      if (source != null) {
        for (String entry : source) {
          if (entry == null) {
            continue;
          }
          if (MATCH_ALL.equals(entry)) {
            matchAll = true;
          }
          entries.add(entry);
          try {
            patterns.add(Pattern.compile(entry));
          } catch (PatternSyntaxException e) {
            // The SDK ignores entries that are not valid regular expressions, too.
          }
        }
      }
      this.matchAll = matchAll;
      this.entries = Collections.unmodifiableList(entries);
      this.patterns = Collections.unmodifiableList(patterns);
    }

    boolean allows(String authority, RpcMethod method) {
      if (matchAll) {
        return true;
      }
      if (entries.isEmpty()) {
        return false;
      }
      String target = target(authority, method);
      for (String entry : entries) {
        if (target.contains(entry)) {
          return true;
        }
      }
      for (Pattern pattern : patterns) {
        if (pattern.matcher(target).matches()) {
          return true;
        }
      }
      return false;
    }
  }
}

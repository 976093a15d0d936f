package dev.sentrygrpc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches full method names against globs where {@code *} stands for any run of characters. The
 * common shapes (an exact name, or a prefix followed by {@code *}) are compared as strings; only
 * other shapes are compiled to a regular expression, once.
 */
final class MethodGlobs {
  private final List<String> exact = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();
  private final List<Pattern> patterns = new ArrayList<>();

  MethodGlobs(List<String> globs) {
    for (String glob : globs) {
      int star = glob.indexOf('*');
      if (star < 0) {
        exact.add(glob);
      } else if (star == glob.length() - 1) {
        prefixes.add(glob.substring(0, star));
      } else {
        patterns.add(toPattern(glob));
      }
    }
  }

  boolean matches(String fullMethodName) {
    for (int i = 0; i < exact.size(); i++) {
      if (exact.get(i).equals(fullMethodName)) {
        return true;
      }
    }
    for (int i = 0; i < prefixes.size(); i++) {
      if (fullMethodName.startsWith(prefixes.get(i))) {
        return true;
      }
    }
    for (int i = 0; i < patterns.size(); i++) {
      if (patterns.get(i).matcher(fullMethodName).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern toPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    int start = 0;
    for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', start)) {
      if (star > start) {
        regex.append(Pattern.quote(glob.substring(start, star)));
      }
      regex.append(".*");
      start = star + 1;
    }
    if (start < glob.length()) {
      regex.append(Pattern.quote(glob.substring(start)));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}

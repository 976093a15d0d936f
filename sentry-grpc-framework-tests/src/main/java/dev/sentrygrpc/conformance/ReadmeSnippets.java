package dev.sentrygrpc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a README's code honest: every code block preceded by {@code <!-- snippet: PATH#NAME -->}
 * must show only lines that the region {@code readme:NAME:start} .. {@code readme:NAME:end} of the
 * source file {@code PATH} (relative to the repository) runs, in the same order. The region may
 * hold more (test-only lines); the README may not show what no test runs.
 */
public final class ReadmeSnippets {
  private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: ([^#\\s]+)#([\\w-]+) -->");

  private ReadmeSnippets() {}

  /**
   * Checks every snippet of {@code readme} whose source lies under {@code module}, and that there
   * is at least one.
   *
   * @param repository the repository's root directory
   * @param readme the README, relative to the root
   * @param module the module directory (e.g. {@code sentry-grpc-armeria/}) whose snippets to check
   */
  public static void check(Path repository, String readme, String module) {
    List<String> lines = read(repository.resolve(readme));
    int checked = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher snippet = SNIPPET.matcher(lines.get(i));
      if (!snippet.find() || !snippet.group(1).startsWith(module)) {
        continue;
      }
      List<String> shown = codeBlockAfter(lines, i, readme);
      List<String> region = region(repository.resolve(snippet.group(1)), snippet.group(2));
      int at = 0;
      for (String line : shown) {
        int found = indexOf(region, line, at);
        assertThat(found)
            .as("%s (%s#%s) shows a line the code does not run there, or not in this order: %s",
                readme, snippet.group(1), snippet.group(2), line)
            .isGreaterThanOrEqualTo(0);
        at = found + 1;
      }
      checked++;
    }
    assertThat(checked).as("snippets of %s in %s", module, readme).isPositive();
  }

  private static List<String> codeBlockAfter(List<String> lines, int marker, String readme) {
    int open = marker + 1;
    while (open < lines.size() && lines.get(open).trim().isEmpty()) {
      open++;
    }
    assertThat(open < lines.size() && lines.get(open).startsWith("```"))
        .as("a code block right after line %d of %s", marker + 1, readme)
        .isTrue();
    List<String> code = new ArrayList<>();
    for (int i = open + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
      if (!lines.get(i).trim().isEmpty()) {
        code.add(lines.get(i).trim());
      }
    }
    return code;
  }

  private static List<String> region(Path source, String name) {
    List<String> region = new ArrayList<>();
    boolean inside = false;
    for (String line : read(source)) {
      String trimmed = line.trim();
      if (trimmed.endsWith("readme:" + name + ":start")) {
        inside = true;
      } else if (trimmed.endsWith("readme:" + name + ":end")) {
        return region;
      } else if (inside) {
        region.add(trimmed);
      }
    }
    throw new AssertionError("no region readme:" + name + ":start/end in " + source);
  }

  private static int indexOf(List<String> region, String line, int from) {
    for (int i = from; i < region.size(); i++) {
      if (region.get(i).equals(line)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.sentrygrpc.demo;

import java.io.Console;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What stdout can show: colours only on a real terminal that is not "dumb" and when NO_COLOR is
 * unset (https://no-color.org), so output piped to a file or a CI log has no escape codes at all;
 * block characters only where the terminal's encoding is UTF-8.
 */
final class Terminal {

  static final int DEFAULT_WIDTH = 120;
  static final int MIN_WIDTH = 72;
  static final int MAX_WIDTH = 180;

  private final boolean interactive;
  private final Style style;
  private final int width;

  Terminal(boolean interactive, Style style, int width) {
    this.interactive = interactive;
    this.style = style;
    this.width = width;
  }

  /** Plain text at the default width: what a pipe gets, and what tests use. */
  static Terminal plain() {
    return new Terminal(false, Style.PLAIN, DEFAULT_WIDTH);
  }

  static Terminal detect() {
    Map<String, String> env = System.getenv();
    boolean interactive = isTerminal(System.console());
    String term = env.get("TERM");
    boolean noColor = env.get("NO_COLOR") != null && !env.get("NO_COLOR").isEmpty();
    // Unset TERM on a console is Windows: only Windows Terminal (WT_SESSION) is sure to
    // understand ANSI codes; the old console prints them raw.
    boolean ansiCapable =
        term != null ? !term.equalsIgnoreCase("dumb") : env.containsKey("WT_SESSION");
    boolean colour = interactive && ansiCapable && !noColor;
    boolean unicode = interactive && ansiCapable && isUtf8(stdoutCharset());
    return new Terminal(interactive, new Style(colour, unicode), detectWidth(env, interactive));
  }

  /** Whether stdout is a terminal: progress is then redrawn in place rather than logged. */
  boolean interactive() {
    return interactive;
  }

  Style style() {
    return style;
  }

  int width() {
    return width;
  }

  /**
   * Java 22 made {@code System.console()} return a console even when output is redirected, and
   * added {@code isTerminal()} to tell; the demo is compiled for 17, hence the reflection.
   */
  private static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // Java 17 to 21: a console exists only when stdin and stdout are a terminal.
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static String stdoutCharset() {
    // stdout.encoding exists from Java 19, sun.stdout.encoding on some platforms before it;
    // otherwise System.out writes in the default charset.
    String name = System.getProperty("stdout.encoding", System.getProperty("sun.stdout.encoding"));
    return name != null ? name : Charset.defaultCharset().name();
  }

  private static boolean isUtf8(String charset) {
    String name = charset.toUpperCase(Locale.ROOT).replace("-", "");
    return name.equals("UTF8");
  }

  /**
   * COLUMNS when the shell exports it; otherwise, on a terminal, what {@code stty} says (a JVM
   * has no API for it), so bars do not wrap in a narrow window.
   */
  private static int detectWidth(Map<String, String> env, boolean interactive) {
    Integer columns = parseColumns(env.get("COLUMNS"));
    if (columns == null && interactive && !System.getProperty("os.name", "").startsWith("Windows")) {
      columns = sttyColumns();
    }
    if (columns == null) {
      return DEFAULT_WIDTH;
    }
    return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, columns));
  }

  static Integer parseColumns(String text) {
    if (text == null) {
      return null;
    }
    try {
      int columns = Integer.parseInt(text.trim());
      return columns > 0 ? columns : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Integer sttyColumns() {
    try {
      Process stty =
          new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
              .redirectErrorStream(true)
              .start();
      if (!stty.waitFor(1, TimeUnit.SECONDS)) {
        stty.destroy();
        return null;
      }
      String[] rowsAndColumns = new String(stty.getInputStream().readAllBytes()).trim().split("\\s+");
      return rowsAndColumns.length == 2 ? parseColumns(rowsAndColumns[1]) : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null; // No stty, no /dev/tty: the default width will do.
    }
  }
}

package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import io.grpc.Status;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows the scripted run as it goes. On a terminal, each finished step is printed as a line and a
 * bar below it is redrawn in place with a carriage return; in a pipe, where a redrawn line would
 * come out as a pile of carriage returns, each step is one line with the bar's state at its start.
 */
final class ProgressBar implements Progress {

  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final boolean redraw;
  private final Style style;
  private final int width;
  private int lastLength;

  ProgressBar(PrintStream out, Terminal terminal) {
    this.out = out;
    this.redraw = terminal.interactive();
    this.style = terminal.style();
    this.width = terminal.width();
  }

  @Override
  public void started(int step, int total, String label) {
    if (redraw) {
      draw(bar(step - 1, total) + "  " + label + " ...");
    }
  }

  @Override
  public void finished(int step, int total, StepResult result) {
    String line = stepLine(step, total, result);
    if (redraw) {
      clear();
      out.println(line);
      draw(bar(step, total));
      if (step == total) {
        clear();
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** {@code [########........] 3/9}, ASCII or blocks. */
  String bar(int done, int total) {
    int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
    return "  ["
        + style.paint(Paint.OK, String.valueOf(style.transactionFill()).repeat(filled))
        + style.paint(Paint.TRACK, String.valueOf(style.track()).repeat(BAR_WIDTH - filled))
        + "] "
        + done
        + "/"
        + total;
  }

  /** One finished step: number, label, status, what came back, why, and how long it took. */
  String stepLine(int step, int total, StepResult result) {
    boolean ok = result.code() == Status.Code.OK;
    String mark = ok ? (style.unicode() ? "\u2713" : "ok") : (style.unicode() ? "\u2717" : "!!");
    String number = String.format(Locale.ROOT, "%" + String.valueOf(total).length() + "d/%d", step, total);
    String head =
        String.format(
            Locale.ROOT,
            // 19: the longest code name any step gets, FAILED_PRECONDITION.
            "  %s %-2s %-17s %-19s",
            number,
            mark,
            result.label(),
            result.code().name());
    String tail = result.detail() + (result.story().isEmpty() ? "" : "  <- " + result.story());
    String millis = String.format(Locale.ROOT, "%5d ms  ", result.millis());
    String text = TraceWaterfall.cut(tail, Math.max(10, width - head.length() - millis.length()), style);
    Paint paint = ok ? Paint.OK : Paint.WARN;
    if (result.expectedErrors() > 0) {
      paint = Paint.ERROR;
    }
    return style.paint(paint, head) + style.paint(Paint.DIM, millis) + text;
  }

  private void draw(String text) {
    // A plain carriage return, no escape code: shorter text is blanked out with spaces.
    int visible = visibleLength(text);
    out.print("\r" + text + " ".repeat(Math.max(0, lastLength - visible)));
    lastLength = visible;
    out.flush();
  }

  private void clear() {
    out.print("\r" + " ".repeat(lastLength) + "\r");
    lastLength = 0;
  }

  /** The on-screen length: escape codes take no room. */
  static int visibleLength(String text) {
    return text.replaceAll("\u001b\\[[0-9;]*m", "").length();
  }
}

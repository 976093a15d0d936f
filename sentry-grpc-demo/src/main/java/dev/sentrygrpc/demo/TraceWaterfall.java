package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import dev.sentrygrpc.demo.TraceView.ErrorEvent;
import dev.sentrygrpc.demo.TraceView.Span;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Draws a trace as a waterfall: one row per transaction or span, indented under its parent, with
 * its op, description, status, duration and a bar placed and sized against the whole trace, and
 * the trace's errors under the span they were captured in. A pure function of its inputs: no I/O,
 * no clock, and escape codes only when the {@link Style} asks for colours.
 *
 * <pre>
 * storefront  checkout                       internal_error   52 ms  |##############################|
 * `- grpc.client  shop.OrderService/Place... internal_error   51 ms  |##############################|
 *    `- grpc.server  shop.OrderService/Pl... internal_error   49 ms  |.#############################|
 * </pre>
 */
final class TraceWaterfall {

  private static final Paint[] SERVICE_PALETTE = {
    Paint.STOREFRONT, Paint.ORDERS, Paint.INVENTORY, Paint.PAYMENT, Paint.OK, Paint.OTHER
  };

  /** Statuses that are expected answers rather than failures of the service. */
  private static final Set<String> EXPECTED_STATUSES =
      Set.of(
          "not_found",
          "cancelled",
          "invalid_argument",
          "already_exists",
          "failed_precondition",
          "permission_denied",
          "unauthenticated",
          "out_of_range",
          "aborted",
          "resource_exhausted");

  private TraceWaterfall() {}

  /**
   * Column widths shared by all traces drawn together, so their bars line up, and one colour per
   * service across them.
   */
  record Layout(int labelWidth, int statusWidth, int barWidth, Map<String, Paint> serviceColours) {

    static final int DURATION_WIDTH = 8;
    static final int MIN_BAR_WIDTH = 12;
    /** Separators and the bar's two ends. */
    private static final int FIXED = 2 + 1 + 2 + 2;

    /** The line width these columns add up to. */
    int width() {
      return labelWidth + statusWidth + DURATION_WIDTH + FIXED + barWidth;
    }

    /** Columns for these traces in {@code width} characters: labels get at most 45%. */
    static Layout fit(Collection<TraceView> traces, Style style, int width) {
      int longestLabel = 20;
      int longestStatus = "status".length();
      Map<String, Paint> colours = new LinkedHashMap<>();
      for (TraceView trace : traces) {
        for (Row row : rows(trace, style)) {
          longestLabel = Math.max(longestLabel, row.label().length());
          longestStatus = Math.max(longestStatus, statusText(row.span()).length());
        }
        for (String service : trace.services()) {
          colours.computeIfAbsent(
              service, key -> SERVICE_PALETTE[Math.min(colours.size(), SERVICE_PALETTE.length - 1)]);
        }
      }
      int labelWidth = Math.min(longestLabel, Math.max(28, width * 9 / 20));
      int barWidth = Math.max(MIN_BAR_WIDTH, width - labelWidth - longestStatus - DURATION_WIDTH - FIXED);
      return new Layout(labelWidth, longestStatus, barWidth, colours);
    }
  }

  /** A span with the tree drawing before it and the prefix its own children and errors get. */
  record Row(Span span, String branch, String childPrefix, int depth) {
    String label() {
      return branch + span.op() + "  " + (span.description() == null ? "" : span.description());
    }
  }

  /** The trace's rows, parents before children, siblings by start time. */
  static List<Row> rows(TraceView trace, Style style) {
    Map<String, Span> byId = new HashMap<>();
    for (Span span : trace.spans()) {
      byId.putIfAbsent(span.spanId(), span);
    }
    Comparator<Span> byStart =
        Comparator.comparingDouble(Span::start).thenComparing(span -> span.transaction() ? 1 : 0);
    Map<String, List<Span>> children = new HashMap<>();
    List<Span> roots = new ArrayList<>();
    for (Span span : trace.spans()) {
      String parent = span.parentSpanId();
      if (parent != null && byId.containsKey(parent) && !parent.equals(span.spanId())) {
        children.computeIfAbsent(parent, key -> new ArrayList<>()).add(span);
      } else {
        // The trace's first transaction, or a part whose parent never arrived (not sampled,
        // or lost): drawn at the top level rather than dropped.
        roots.add(span);
      }
    }
    children.values().forEach(list -> list.sort(byStart));
    roots.sort(byStart);
    List<Row> rows = new ArrayList<>();
    Set<String> drawn = new HashSet<>();
    for (Span root : roots) {
      addRows(rows, root, "", "", 0, children, drawn, style);
    }
    // Spans whose parent links form a loop are reachable from no root: drawn at the top level
    // rather than lost.
    for (Span span : trace.spans()) {
      if (!drawn.contains(span.spanId())) {
        addRows(rows, span, "", "", 0, children, drawn, style);
      }
    }
    return rows;
  }

  private static void addRows(
      List<Row> rows,
      Span span,
      String branch,
      String childPrefix,
      int depth,
      Map<String, List<Span>> children,
      Set<String> drawn,
      Style style) {
    // Parent links come from the wire: a cycle must not loop forever.
    if (!drawn.add(span.spanId())) {
      return;
    }
    rows.add(new Row(span, branch, childPrefix, depth));
    List<Span> kids = children.getOrDefault(span.spanId(), List.of());
    for (int i = 0; i < kids.size(); i++) {
      boolean last = i == kids.size() - 1;
      addRows(
          rows,
          kids.get(i),
          childPrefix + (last ? style.lastBranch() : style.branch()),
          childPrefix + (last ? "   " : style.pipe()),
          depth + 1,
          children,
          drawn,
          style);
    }
  }

  /** The waterfall of one trace, headed by {@code heading}, as lines without line breaks. */
  static List<String> render(TraceView trace, String heading, Style style, Layout layout) {
    List<String> lines = new ArrayList<>();
    double start = trace.start();
    double total = trace.duration();

    lines.add(style.paint(Paint.HEADING, heading));
    boolean empty = trace.spans().isEmpty();
    StringBuilder about = new StringBuilder("  trace ").append(trace.traceId());
    if (empty) {
      about.append(style.dot()).append("no transaction received (not sampled)");
    } else {
      about.append(style.dot()).append(formatDuration(total));
      about.append(style.dot()).append(String.join(" > ", trace.services()));
    }
    int errors = trace.errors().size();
    String errorText = errors + (errors == 1 ? " error" : " errors");
    about.append(style.dot());
    lines.add(
        style.paint(Paint.DIM, about.toString())
            + style.paint(errors > 0 ? Paint.ERROR_BOLD : Paint.DIM, errorText));

    if (!empty) {
      lines.add(style.paint(Paint.DIM, columnHeader(total, layout)));
    }

    Map<String, List<ErrorEvent>> errorsBySpan = new HashMap<>();
    for (ErrorEvent error : trace.errors()) {
      errorsBySpan.computeIfAbsent(String.valueOf(error.spanId()), key -> new ArrayList<>()).add(error);
    }
    Set<String> placed = new HashSet<>();
    Set<String> reasonFromBelow = reasonsFromBelow(trace);
    for (Row row : rows(trace, style)) {
      lines.add(spanLine(row, start, total, style, layout));
      String reason = row.span().errorReason();
      if (reason != null && !reasonFromBelow.contains(row.span().spanId())) {
        // Once, where the reason came from: the hops above only passed it on.
        lines.add(
            style.paint(Paint.TRACK, row.childPrefix())
                + style.paint(Paint.WARN, cut("~ reason " + reason, layout.width() - row.childPrefix().length(), style)));
      }
      for (ErrorEvent error : errorsBySpan.getOrDefault(row.span().spanId(), List.of())) {
        lines.addAll(errorLines(row.childPrefix(), error, style, layout));
        placed.add(error.eventId());
      }
    }
    List<ErrorEvent> unplaced = new ArrayList<>();
    for (ErrorEvent error : trace.errors()) {
      if (!placed.contains(error.eventId())) {
        unplaced.add(error);
      }
    }
    if (!unplaced.isEmpty()) {
      if (!empty) {
        lines.add(style.paint(Paint.DIM, "  errors of this trace whose span did not arrive:"));
      }
      for (ErrorEvent error : unplaced) {
        lines.addAll(errorLines("  ", error, style, layout));
      }
    }
    return lines;
  }

  /** Spans with a child that has the same error reason: the reason came from there. */
  private static Set<String> reasonsFromBelow(TraceView trace) {
    Map<String, String> reasonById = new HashMap<>();
    for (Span span : trace.spans()) {
      if (span.errorReason() != null) {
        reasonById.put(span.spanId(), span.errorReason());
      }
    }
    Set<String> fromBelow = new HashSet<>();
    for (Span span : trace.spans()) {
      String parent = span.parentSpanId();
      if (span.errorReason() != null && parent != null && span.errorReason().equals(reasonById.get(parent))) {
        fromBelow.add(parent);
      }
    }
    return fromBelow;
  }

  private static String columnHeader(double total, Layout layout) {
    String left = "0";
    String right = formatDuration(total);
    int gap = Math.max(1, layout.barWidth() - left.length() - right.length());
    return pad("span", layout.labelWidth())
        + "  "
        + pad("status", layout.statusWidth())
        + " "
        + padLeft("duration", Layout.DURATION_WIDTH)
        + "  "
        + " "
        + left
        + " ".repeat(gap)
        + right;
  }

  private static String spanLine(Row row, double start, double total, Style style, Layout layout) {
    Span span = row.span();
    Paint service = layout.serviceColours().getOrDefault(span.service(), Paint.OTHER);

    // Pad and cut on the plain text first: escape codes have no width on screen.
    String label = fit(row.label(), layout.labelWidth(), style);
    int opAt = row.branch().length();
    int opEnd = Math.min(label.length(), opAt + span.op().length());
    String branch = label.substring(0, Math.min(opAt, label.length()));
    String op = label.substring(Math.min(opAt, label.length()), opEnd);
    String rest = label.substring(opEnd);
    String paintedLabel =
        style.paint(Paint.TRACK, branch)
            + style.paint(span.transaction() ? Paint.BOLD : Paint.DIM, style.paint(service, op))
            + rest;

    String status = statusText(span);
    return paintedLabel
        + "  "
        + style.paint(statusPaint(span.status()), pad(status, layout.statusWidth()))
        + " "
        + padLeft(formatDuration(span.duration()), Layout.DURATION_WIDTH)
        + "  "
        + bar(span, start, total, service, style, layout.barWidth());
  }

  /** {@code |....####......|}: where the span starts and how long it lasts, to scale. */
  static String bar(Span span, double start, double total, Paint paint, Style style, int width) {
    int[] cells = cells(span.start() - start, span.duration(), total, width);
    char fill = span.transaction() ? style.transactionFill() : style.spanFill();
    char track = style.track();
    return "|"
        + style.paint(Paint.TRACK, String.valueOf(track).repeat(cells[0]))
        + style.paint(paint, String.valueOf(fill).repeat(cells[1] - cells[0]))
        + style.paint(Paint.TRACK, String.valueOf(track).repeat(width - cells[1]))
        + "|";
  }

  /**
   * The first and last-plus-one cell a span covers in a bar of {@code width} cells. Every span gets
   * at least one cell, so even a 0.1 ms query shows where it happened.
   */
  static int[] cells(double offset, double duration, double total, int width) {
    if (total <= 0) {
      return new int[] {0, width};
    }
    int from = (int) Math.floor(offset / total * width);
    int to = (int) Math.ceil((offset + duration) / total * width);
    from = Math.max(0, Math.min(width - 1, from));
    to = Math.max(from + 1, Math.min(width, to));
    return new int[] {from, to};
  }

  /**
   * An error under the span it was captured in: the exception on one line, as much of it as the
   * width allows (the message is what a reader came for), and where it came from on the next.
   */
  private static List<String> errorLines(String prefix, ErrorEvent error, Style style, Layout layout) {
    String head = "! " + error.type() + (error.message() != null ? ": " + error.message() : "");
    StringBuilder about = new StringBuilder();
    if (error.mechanism() != null) {
      about.append("mechanism ").append(error.mechanism());
    }
    if (error.handled() != null) {
      about.append(about.length() > 0 ? ", " : "").append(error.handled() ? "handled" : "unhandled");
    }
    if (error.errorReason() != null) {
      about.append(about.length() > 0 ? ", " : "").append("reason ").append(error.errorReason());
    }
    if (!error.eventId().isEmpty()) {
      about.append(about.length() > 0 ? ", " : "").append("event ").append(error.eventId());
    }
    int room = Math.max(20, layout.width() - prefix.length());
    List<String> lines = new ArrayList<>();
    lines.add(style.paint(Paint.TRACK, prefix) + style.paint(Paint.ERROR_BOLD, cut(head, room, style)));
    if (about.length() > 0) {
      lines.add(
          style.paint(Paint.TRACK, prefix)
              + "  "
              + style.paint(Paint.ERROR, cut(about.toString(), room - 2, style)));
    }
    return lines;
  }

  static String statusText(Span span) {
    return span.status() == null ? "-" : span.status();
  }

  private static Paint statusPaint(String status) {
    if (status == null) {
      return Paint.DIM;
    }
    if (status.equals("ok")) {
      return Paint.OK;
    }
    return EXPECTED_STATUSES.contains(status) ? Paint.WARN : Paint.ERROR;
  }

  /** {@code 0.42 ms}, {@code 3.1 ms}, {@code 52 ms}, {@code 1.25 s}. */
  static String formatDuration(double seconds) {
    double millis = seconds * 1000;
    if (millis < 10) {
      return String.format(Locale.ROOT, "%.1f ms", millis);
    }
    if (millis < 1000) {
      return String.format(Locale.ROOT, "%.0f ms", millis);
    }
    return String.format(Locale.ROOT, "%.2f s", seconds);
  }

  /** Cut to {@code width} with an ellipsis, or pad with spaces to it. */
  static String fit(String text, int width, Style style) {
    return pad(cut(text, width, style), width);
  }

  /** Cut to {@code width} with an ellipsis when longer. */
  static String cut(String text, int width, Style style) {
    if (text.length() <= width) {
      return text;
    }
    String ellipsis = style.ellipsis();
    return text.substring(0, Math.max(0, width - ellipsis.length())) + ellipsis;
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }

  private static String padLeft(String text, int width) {
    return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
  }
}

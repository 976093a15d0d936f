package dev.sentrygrpc.demo;

/**
 * How text is decorated: ANSI colours or none, block characters or ASCII. Every renderer goes
 * through one of these, so plain output is guaranteed free of escape codes by construction rather
 * than by stripping them afterwards.
 */
record Style(boolean colour, boolean unicode) {

  /** Plain ASCII, no escape codes: for pipes, files, CI logs and dumb terminals. */
  static final Style PLAIN = new Style(false, false);

  private static final String ESC = "\u001b[";
  private static final String RESET = ESC + "0m";

  /** The colours the demo uses, by meaning rather than by name, so themes stay consistent. */
  enum Paint {
    BOLD("1"),
    DIM("2"),
    OK("32"),
    WARN("33"),
    ERROR("31"),
    ERROR_BOLD("1;31"),
    TRACK("90"),
    HEADING("1;36"),
    STOREFRONT("36"),
    ORDERS("34"),
    INVENTORY("35"),
    PAYMENT("33"),
    OTHER("37");

    final String code;

    Paint(String code) {
      this.code = code;
    }
  }

  /** The text in the paint, or the text itself when colours are off. */
  String paint(Paint paint, String text) {
    if (!colour || text.isEmpty()) {
      return text;
    }
    return ESC + paint.code + "m" + text + RESET;
  }

  /** The filled part of a transaction's bar. */
  char transactionFill() {
    return unicode ? '\u2588' : '#'; // █
  }

  /** The filled part of a span's bar: lighter than a transaction's, so hops stand out. */
  char spanFill() {
    return unicode ? '\u2593' : '='; // ▓
  }

  /** The unfilled track behind the bars. */
  char track() {
    return unicode ? '\u2591' : '.'; // ░
  }

  String ellipsis() {
    return unicode ? "\u2026" : "..."; // …
  }

  /** Tree branches: a child that has siblings after it, the last child, and the line beside. */
  String branch() {
    return unicode ? "\u251c\u2500 " : "|- "; // ├─
  }

  String lastBranch() {
    return unicode ? "\u2514\u2500 " : "`- "; // └─
  }

  String pipe() {
    return unicode ? "\u2502  " : "|  "; // │
  }

  String dot() {
    return unicode ? " \u00b7 " : " | "; // ·
  }
}

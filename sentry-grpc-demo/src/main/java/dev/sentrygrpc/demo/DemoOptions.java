package dev.sentrygrpc.demo;

import java.util.List;

/**
 * The command line, parsed by hand: four options do not justify a dependency in a jar users run
 * before deciding whether to adopt the library.
 */
record DemoOptions(int orders, double sampleRate, boolean serve, boolean debug, boolean help) {

  static final int DEFAULT_ORDERS = 6;
  /** Enough to see every failure kind and still finish in a few seconds. */
  static final int MAX_ORDERS = 500;

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar sentry-grpc-demo.jar [options]",
          "",
          "Runs a small shop of three gRPC services (orders, inventory, payment) traced by",
          "sentry-grpc, and draws the traces Sentry received in the terminal.",
          "",
          "Options:",
          "  --orders N         orders the storefront places (default " + DEFAULT_ORDERS + "; from 5 on,"
              + " every failure kind appears)",
          "  --sample-rate R    traces sample rate, 0.0 to 1.0 (default 1.0)",
          "  --serve            keep the services up after the run, print their ports and wait for"
              + " Ctrl-C",
          "                     (server reflection is on: grpcurl -plaintext 127.0.0.1:PORT list)",
          "  --debug            turn on the Sentry SDK's debug logging",
          "  --help             show this text",
          "",
          "Environment:",
          "  SENTRY_DSN         send to this Sentry instead of the embedded local receiver; the demo",
          "                     then prints the trace ids to look up there",
          "  NO_COLOR           plain text even on a terminal");

  static DemoOptions defaults() {
    return new DemoOptions(DEFAULT_ORDERS, 1.0, false, false, false);
  }

  /**
   * Parses the arguments.
   *
   * @throws IllegalArgumentException with a message meant for the user
   */
  static DemoOptions parse(List<String> args) {
    int orders = DEFAULT_ORDERS;
    double sampleRate = 1.0;
    boolean serve = false;
    boolean debug = false;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      // Both "--orders 8" and "--orders=8", as people type either.
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        value = arg.substring(equals + 1);
        arg = arg.substring(0, equals);
      }
      switch (arg) {
        case "--orders" -> {
          String text = value != null ? value : next(args, ++i, arg);
          orders = parseInt(text, arg);
          if (orders < 1 || orders > MAX_ORDERS) {
            throw new IllegalArgumentException(
                "--orders must be between 1 and " + MAX_ORDERS + ", got " + text);
          }
        }
        case "--sample-rate" -> {
          String text = value != null ? value : next(args, ++i, arg);
          sampleRate = parseDouble(text, arg);
          if (!(sampleRate >= 0.0 && sampleRate <= 1.0)) {
            throw new IllegalArgumentException(
                "--sample-rate must be between 0.0 and 1.0, got " + text);
          }
        }
        case "--serve" -> serve = noValue(arg, value);
        case "--debug" -> debug = noValue(arg, value);
        case "--help", "-h" -> help = noValue(arg, value);
        default -> throw new IllegalArgumentException("unknown option: " + args.get(i));
      }
    }
    return new DemoOptions(orders, sampleRate, serve, debug, help);
  }

  private static String next(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }

  private static boolean noValue(String option, String value) {
    if (value != null) {
      throw new IllegalArgumentException(option + " takes no value");
    }
    return true;
  }

  private static int parseInt(String text, String option) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got '" + text + "'");
    }
  }

  private static double parseDouble(String text, String option) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, got '" + text + "'");
    }
  }
}

package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.ManagedChannel;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.protocol.SentryTransaction;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar sentry-grpc-demo.jar}: starts the shop, runs the storefront's script, and shows
 * what Sentry received. Without {@code SENTRY_DSN} it sends to an embedded local Sentry receiver,
 * through the SDK's real HTTP transport, and draws the traces in the terminal.
 */
public final class DemoMain {

  /** How long the SDK gets to send everything at the end. */
  static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
  /** How long the local receiver may take to have it all; a few hundred ms is usual. */
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Held so it is not collected: java.util.logging keeps loggers weakly, and a collected logger
   * forgets its level.
   */
  private static final Logger GRPC_EXECUTOR_LOG =
      Logger.getLogger("io.grpc.internal.SerializingExecutor");

  private DemoMain() {}

  public static void main(String[] args) {
    int code = run(Arrays.asList(args), System.out, System.err, Terminal.detect(), System.getenv("SENTRY_DSN"));
    // Sentry's and gRPC's threads must not keep the demo alive once it has said everything.
    System.exit(code);
  }

  static int run(List<String> args, PrintStream out, PrintStream err, Terminal terminal, String dsn) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("sentry-grpc-demo: " + e.getMessage());
      err.println("Try --help.");
      return 2;
    }
    if (options.help()) {
      out.println(DemoOptions.USAGE);
      return 0;
    }
    if (!options.debug()) {
      // grpc-java logs every exception a handler throws, stack trace and all. The payment bug is
      // thrown on purpose and the demo shows it where it belongs, under its trace.
      GRPC_EXECUTOR_LOG.setLevel(Level.OFF);
    }
    boolean local = dsn == null || dsn.isBlank();
    SentryReceiver receiver = local ? SentryReceiver.start() : null;
    ShopServices services = null;
    try {
      services = ShopServices.start();
      services.warmUp();
      SentrySetup.init(local ? receiver.dsn() : dsn, options.sampleRate(), options.debug());
      printBanner(out, terminal.style(), options, local ? receiver.dsn() : dsn, local, services);

      out.println(terminal.style().paint(Paint.HEADING, "Storefront"));
      ScenarioResult scenario = runScenario(services, options.orders(), new ProgressBar(out, terminal));
      out.println();

      int code = 0;
      if (local) {
        Delivery.Received received = Delivery.await(receiver, scenario, DELIVERY_TIMEOUT);
        for (String line : Report.render(scenario, received, terminal.style(), terminal.width())) {
          out.println(line);
        }
        if (!received.complete()) {
          err.println();
          err.println("sentry-grpc-demo: Sentry did not receive everything: still missing " + received.missing());
          code = 1;
        }
      } else {
        printTraceIds(out, terminal.style(), scenario);
      }
      out.flush();

      if (options.serve()) {
        // The run closed the SDK to send its metrics; the interceptors take up the new one.
        SentrySetup.init(local ? receiver.dsn() : dsn, options.sampleRate(), options.debug());
        serve(out, terminal.style(), services, receiver);
      }
      return code;
    } finally {
      if (services != null) {
        services.close();
      }
      Sentry.close();
      if (receiver != null) {
        receiver.close();
      }
    }
  }

  /**
   * The storefront's scripted run against the running services, then {@code Sentry.close()}: it
   * sends what the SDK queued and the last interval of the RPC metrics. What the tests run too.
   */
  static ScenarioResult runScenario(ShopServices services, int orders, Progress progress) {
    ManagedChannel channel = services.connectStorefront();
    try {
      return new Storefront(channel).run(orders, progress);
    } finally {
      channel.shutdown();
      Sentry.flush(FLUSH_TIMEOUT.toMillis());
      Sentry.close();
    }
  }

  private static void printBanner(
      PrintStream out, Style style, DemoOptions options, String dsn, boolean local, ShopServices services) {
    out.println(
        style.paint(Paint.HEADING, "sentry-grpc demo")
            + ": a shop of three gRPC services, traced by sentry-grpc");
    if (local) {
      out.println(
          "  Sentry    local receiver at "
              + dsn
              + style.paint(Paint.DIM, " (no account needed; set SENTRY_DSN to send to yours)"));
    } else {
      out.println("  Sentry    " + redact(dsn) + " (from SENTRY_DSN)");
    }
    out.println(
        "            tracesSampleRate "
            + options.sampleRate()
            + style.dot()
            + "environment "
            + SentrySetup.ENVIRONMENT
            + style.dot()
            + "release "
            + SentrySetup.RELEASE);
    out.println(
        "  services  OrderService 127.0.0.1:"
            + services.ordersPort()
            + style.dot()
            + "InventoryService 127.0.0.1:"
            + services.inventoryPort()
            + style.dot()
            + "PaymentService 127.0.0.1:"
            + services.paymentPort());
    out.println(
        "  script    "
            + Summary.count(options.orders(), "checkout")
            + ", then one call of each streaming kind, each step in a transaction of its own");
    out.println();
  }

  /** The DSN's public key is not a secret, but there is no reason to print it either. */
  static String redact(String dsn) {
    return dsn.replaceFirst("//[^@/]*@", "//***@");
  }

  private static void printTraceIds(PrintStream out, Style style, ScenarioResult scenario) {
    out.println(style.paint(Paint.HEADING, "Traces sent") + " (search for them in Sentry's Trace Explorer, or open /performance/trace/<id>)");
    for (StepResult step : scenario.steps()) {
      String line =
          "  "
              + step.traceId()
              + "  "
              + String.format("%-17s %-12s", step.label(), step.code())
              + (step.sampled() ? "" : style.paint(Paint.DIM, "  not sampled: errors only"))
              + (step.story().isEmpty() ? "" : style.paint(Paint.DIM, "  (" + step.story() + ")"));
      out.println(line.stripTrailing());
    }
    int errors = scenario.expectedErrors();
    out.println("  " + Summary.count(errors, "error event") + " expected (environment " + SentrySetup.ENVIRONMENT + ")");
  }

  /** --serve: keep the services up until Ctrl-C, listing transactions as the receiver gets them. */
  private static void serve(PrintStream out, Style style, ShopServices services, SentryReceiver receiver) {
    out.println();
    out.println(style.paint(Paint.HEADING, "Serving") + " until Ctrl-C");
    out.println("  OrderService      127.0.0.1:" + services.ordersPort());
    out.println("  InventoryService  127.0.0.1:" + services.inventoryPort());
    out.println("  PaymentService    127.0.0.1:" + services.paymentPort());
    out.println("  try:  grpcurl -plaintext 127.0.0.1:" + services.ordersPort() + " list");
    out.println(
        "        grpcurl -plaintext -d '{\"order_id\":\"o-9\",\"sku\":\""
            + Catalog.MUG
            + "\",\"quantity\":1,\"card\":\""
            + Catalog.BUGGY_CARD
            + "\"}' 127.0.0.1:"
            + services.ordersPort()
            + " shop.OrderService/PlaceOrder");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println();
                  out.println("Stopping.");
                  out.flush();
                  services.close();
                  Sentry.flush(2_000);
                  stopped.countDown();
                },
                "sentry-grpc-demo-stop"));
    if (receiver != null) {
      out.println("  transactions and errors are listed as the local Sentry receives them:");
    }
    out.flush();
    int seenTransactions = receiver != null ? receiver.transactions().size() : 0;
    int seenEvents = receiver != null ? receiver.events().size() : 0;
    try {
      while (!stopped.await(500, TimeUnit.MILLISECONDS)) {
        if (receiver == null) {
          continue;
        }
        List<SentryTransaction> transactions = receiver.transactions();
        for (SentryTransaction transaction :
            transactions.subList(Math.min(seenTransactions, transactions.size()), transactions.size())) {
          printArrival(out, style, transaction);
        }
        seenTransactions = transactions.size();
        List<SentryEvent> events = receiver.events();
        for (SentryEvent event : events.subList(Math.min(seenEvents, events.size()), events.size())) {
          printArrival(out, style, event);
        }
        seenEvents = events.size();
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void printArrival(PrintStream out, Style style, SentryEvent event) {
    var trace = event.getContexts().getTrace();
    TraceView.ErrorEvent error =
        TraceView.of(trace == null ? "" : trace.getTraceId().toString(), "", List.of(), List.of(event))
            .errors()
            .get(0);
    out.println(
        "    "
            + style.paint(Paint.ERROR_BOLD, "! " + error.type() + ": " + error.message())
            + style.paint(Paint.DIM, trace == null ? "" : "  trace " + trace.getTraceId()));
  }

  private static void printArrival(PrintStream out, Style style, SentryTransaction transaction) {
    var trace = transaction.getContexts().getTrace();
    if (trace == null) {
      return;
    }
    double start = transaction.getStartTimestamp();
    Double end = transaction.getTimestamp();
    out.println(
        "    "
            + String.format("%-40s", transaction.getTransaction())
            + " "
            + String.format("%-18s", trace.getStatus() == null ? "-" : trace.getStatus().apiName())
            + " "
            + TraceWaterfall.formatDuration(end == null ? 0 : end - start)
            + style.paint(Paint.DIM, "  trace " + trace.getTraceId()));
  }
}

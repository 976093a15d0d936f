package dev.sentrygrpc.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.demo.TraceView.ErrorEvent;
import dev.sentrygrpc.demo.TraceView.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The renderer on hand-made traces: no SDK, no network, exact expectations. */
class TraceWaterfallTest {

  private static final double T0 = 1_700_000_000.0;
  private static final int WIDTH = 120;

  /** storefront tx -> client span -> server tx -> db span, plus a second client call. */
  private static TraceView shop() {
    return new TraceView(
        "0123456789abcdef0123456789abcdef",
        "checkout order-3",
        List.of(
            // Deliberately not in tree order: the renderer must follow the parent links.
            span("db", "srv", "db.query", "SELECT 1", "ok", 0.040, 0.050, false, "shop.OrderService"),
            span("srv", "cli", "grpc.server", "shop.OrderService/PlaceOrder", "internal_error", 0.010, 0.090, true, "shop.OrderService"),
            span("root", null, "storefront", "checkout", "internal_error", 0.000, 0.100, true, "storefront"),
            span("cli", "root", "grpc.client", "shop.OrderService/PlaceOrder", "internal_error", 0.005, 0.095, false, "storefront"),
            span("late", "root", "cache.get", "order-3", "ok", 0.095, 0.100, false, "storefront")),
        List.of(
            new ErrorEvent("e1", "db", "IllegalStateException", "no authorization_code", "grpc", false, T0 + 0.045),
            new ErrorEvent("e2", "gone", "TimeoutException", "lost", null, null, Double.NaN)));
  }

  private static Span span(
      String id, String parent, String op, String description, String status,
      double start, double end, boolean transaction, String service) {
    return new Span(id, parent, op, description, status, T0 + start, T0 + end, transaction, service);
  }

  private static List<String> render(TraceView trace, Style style) {
    TraceWaterfall.Layout layout = TraceWaterfall.Layout.fit(List.of(trace), style, WIDTH);
    return TraceWaterfall.render(trace, trace.title(), style, layout);
  }

  private static String lineWith(List<String> lines, String text) {
    return lines.stream()
        .filter(line -> line.contains(text))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with '" + text + "' in\n" + String.join("\n", lines)));
  }

  @Test
  void plainOutputHasNoEscapeCodes() {
    List<String> lines = render(shop(), Style.PLAIN);

    assertThat(lines).isNotEmpty().noneMatch(line -> line.contains("\u001b"));
    assertThat(String.join("\n", lines)).doesNotContain("\r").matches("\\A[\\x20-\\x7e\\n]*\\z");
  }

  @Test
  void colourOutputIsPaintedAndLinesUpTheSameOnScreen() {
    List<String> plain = render(shop(), Style.PLAIN);
    List<String> colour = render(shop(), new Style(true, false));

    assertThat(String.join("\n", colour)).contains("\u001b[");
    assertThat(colour).hasSameSizeAs(plain);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(colour.get(i).replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain.get(i));
    }
  }

  @Test
  void rowsFollowParentLinksAndIndentByDepth() {
    List<TraceWaterfall.Row> rows = TraceWaterfall.rows(shop(), Style.PLAIN);

    assertThat(rows).extracting(row -> row.span().spanId()).containsExactly("root", "cli", "srv", "db", "late");
    assertThat(rows).extracting(TraceWaterfall.Row::depth).containsExactly(0, 1, 2, 3, 1);

    List<String> lines = render(shop(), Style.PLAIN);
    int root = lineWith(lines, "storefront  checkout").indexOf("storefront");
    int client = lineWith(lines, "grpc.client").indexOf("grpc.client");
    int server = lineWith(lines, "grpc.server").indexOf("grpc.server");
    int db = lineWith(lines, "db.query").indexOf("db.query");
    int sibling = lineWith(lines, "cache.get").indexOf("cache.get");
    assertThat(root).isLessThan(client);
    assertThat(client).isLessThan(server);
    assertThat(server).isLessThan(db);
    assertThat(sibling).isEqualTo(client);
    assertThat(lineWith(lines, "grpc.client")).startsWith("|- ");
    assertThat(lineWith(lines, "cache.get")).startsWith("`- ");
  }

  @Test
  void barsArePlacedAndSizedAgainstTheTrace() {
    List<String> lines = render(shop(), Style.PLAIN);
    String rootBar = bar(lineWith(lines, "storefront  checkout"));
    String dbBar = bar(lineWith(lines, "db.query"));
    String lateBar = bar(lineWith(lines, "cache.get"));
    int width = rootBar.length();

    assertThat(rootBar).matches("#+").hasSize(width);
    // 10 of 100 ms, starting at 40 ms.
    assertThat(dbBar.indexOf('=')).isEqualTo(width * 40 / 100);
    assertThat(dbBar.chars().filter(c -> c == '=').count()).isBetween((long) width / 10, (long) width / 10 + 2);
    // The last 5 ms: at the right end.
    assertThat(lateBar).endsWith("=");
    assertThat(lateBar.indexOf('=')).isGreaterThanOrEqualTo(width * 95 / 100 - 1);
  }

  @Test
  void cellsScaleAndEverySpanGetsOne() {
    assertThat(TraceWaterfall.cells(0, 1.0, 1.0, 40)).containsExactly(0, 40);
    assertThat(TraceWaterfall.cells(0, 0.5, 1.0, 40)).containsExactly(0, 20);
    assertThat(TraceWaterfall.cells(0.5, 0.25, 1.0, 40)).containsExactly(20, 30);
    assertThat(TraceWaterfall.cells(0.3, 0.0001, 1.0, 40)).containsExactly(12, 13);
    assertThat(TraceWaterfall.cells(1.0, 0, 1.0, 40)).containsExactly(39, 40);
  }

  @Test
  void errorsAreListedUnderTheirSpanAndOrphansAtTheEnd() {
    List<String> lines = render(shop(), Style.PLAIN);
    int db = lines.indexOf(lineWith(lines, "db.query"));
    int error = lines.indexOf(lineWith(lines, "IllegalStateException"));
    int late = lines.indexOf(lineWith(lines, "cache.get"));

    assertThat(error).isEqualTo(db + 1);
    assertThat(lines.get(error + 1)).contains("mechanism grpc, unhandled, event e1");
    assertThat(error).isLessThan(late);
    int orphans = lines.indexOf(lineWith(lines, "did not arrive"));
    assertThat(orphans).isGreaterThan(late);
    assertThat(lineWith(lines, "TimeoutException")).contains("lost");
    assertThat(lineWith(lines, "trace 0123456789abcdef")).contains("2 errors").contains("100 ms");
  }

  @Test
  void partsWithoutAReceivedParentAndLoopsAreStillDrawn() {
    TraceView broken =
        new TraceView(
            "t",
            "broken",
            List.of(
                span("a", "b", "x", "loop a", "ok", 0.0, 0.01, false, "s"),
                span("b", "a", "x", "loop b", "ok", 0.0, 0.01, false, "s"),
                span("orphan", "never-arrived", "grpc.server", "svc/M", "ok", 0.0, 0.02, true, "svc")),
            List.of());

    List<String> lines = render(broken, Style.PLAIN);

    assertThat(lines).anyMatch(line -> line.contains("loop a"));
    assertThat(lines).anyMatch(line -> line.contains("loop b"));
    assertThat(lines).anyMatch(line -> line.startsWith("grpc.server  svc/M"));
  }

  @Test
  void aTraceWithOnlyErrorsSaysSoAndListsThem() {
    TraceView unsampled =
        new TraceView(
            "t",
            "checkout order-3",
            List.of(),
            List.of(new ErrorEvent("e1", "s1", "IllegalStateException", "boom", "grpc", false, T0)));

    List<String> lines = render(unsampled, Style.PLAIN);

    assertThat(lineWith(lines, "trace t")).contains("no transaction received").contains("1 error");
    assertThat(lines).noneMatch(line -> line.startsWith("span "));
    assertThat(lineWith(lines, "! IllegalStateException: boom")).startsWith("  ");
  }

  @Test
  void anErrorReasonIsShownOnceWhereItCameFromAndOnItsEvent() {
    String reason = "CARD_DECLINED (payments.shop.example)";
    TraceView declined =
        new TraceView(
            "t",
            "checkout order-5",
            List.of(
                new Span("root", null, "storefront", "checkout", "failed_precondition", T0, T0 + 0.1, true, "storefront", null),
                new Span("cli", "root", "grpc.client", "shop.PaymentService/Charge", "failed_precondition", T0, T0 + 0.09, false, "storefront", reason),
                new Span("srv", "cli", "grpc.server", "shop.PaymentService/Charge", "failed_precondition", T0, T0 + 0.08, true, "shop.PaymentService", reason)),
            List.of(
                new ErrorEvent("e1", "root", "StatusRuntimeException", "FAILED_PRECONDITION: card declined", "grpc.client", true, T0, reason)));

    List<String> lines = render(declined, Style.PLAIN);

    assertThat(lines).filteredOn(line -> line.contains("~ reason")).hasSize(1);
    int server = lines.indexOf(lineWith(lines, "grpc.server"));
    assertThat(lines.get(server + 1)).contains("~ reason CARD_DECLINED (payments.shop.example)");
    assertThat(lineWith(lines, "mechanism grpc.client")).contains("handled, reason CARD_DECLINED");
  }

  @Test
  void longLabelsAreCutToTheLayout() {
    TraceView wide =
        new TraceView(
            "t",
            "wide",
            List.of(span("a", null, "db.query", "SELECT " + "x, ".repeat(80) + "y FROM t", "ok", 0, 0.01, true, "s")),
            List.of());

    List<String> lines = render(wide, Style.PLAIN);

    String row = lineWith(lines, "db.query");
    assertThat(row).contains("...").hasSizeLessThanOrEqualTo(WIDTH);
  }

  @Test
  void durationsReadNaturally() {
    assertThat(TraceWaterfall.formatDuration(0.00042)).isEqualTo("0.4 ms");
    assertThat(TraceWaterfall.formatDuration(0.0031)).isEqualTo("3.1 ms");
    assertThat(TraceWaterfall.formatDuration(0.052)).isEqualTo("52 ms");
    assertThat(TraceWaterfall.formatDuration(1.25)).isEqualTo("1.25 s");
  }

  private static String bar(String line) {
    int end = line.lastIndexOf('|');
    int start = line.lastIndexOf('|', end - 1);
    return line.substring(start + 1, end);
  }
}

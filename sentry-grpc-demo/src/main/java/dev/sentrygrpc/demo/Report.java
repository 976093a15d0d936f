package dev.sentrygrpc.demo;

import dev.sentrygrpc.demo.Style.Paint;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo prints after the run: the summary, then one waterfall per trace in the order the
 * storefront ran its steps. Pure: lines in, lines out.
 */
final class Report {

  private Report() {}

  static List<String> render(
      ScenarioResult scenario, Delivery.Received received, Style style, int width) {
    List<String> lines = new ArrayList<>(
        Summary.render(scenario, received.transactions(), received.events(), style));
    lines.add("");
    lines.addAll(MethodTable.render(received.metrics(), received.transactions(), style));

    Map<String, String> titles = new LinkedHashMap<>();
    List<StepResult> steps = scenario.steps();
    for (int i = 0; i < steps.size(); i++) {
      StepResult step = steps.get(i);
      String title = "Trace " + (i + 1) + "/" + steps.size() + ": " + step.label();
      if (step.code() != Status.Code.OK) {
        title += " -> " + step.code();
      }
      if (!step.story().isEmpty()) {
        title += " (" + step.story() + ")";
      }
      titles.put(step.traceId(), title);
    }
    List<TraceView> views = TraceView.all(received.transactions(), received.events(), titles);
    // The storefront's order, not arrival order: server transactions of a trace can arrive
    // before the storefront's own.
    List<TraceView> ordered = new ArrayList<>();
    for (String traceId : titles.keySet()) {
      views.stream().filter(view -> view.traceId().equals(traceId)).forEach(ordered::add);
    }
    views.stream().filter(view -> !titles.containsKey(view.traceId())).forEach(ordered::add);

    TraceWaterfall.Layout layout = TraceWaterfall.Layout.fit(ordered, style, width);
    lines.add("");
    lines.add(
        style.paint(Paint.HEADING, "Traces")
            + style.paint(
                Paint.DIM,
                "  one row per transaction or span, indented under its parent; the bar shows when"
                    + " it ran within its trace"));
    for (TraceView view : ordered) {
      lines.add("");
      lines.addAll(TraceWaterfall.render(view, view.title(), style, layout));
    }
    List<String> unsampled = new ArrayList<>();
    for (StepResult step : steps) {
      if (!step.sampled() && views.stream().noneMatch(view -> view.traceId().equals(step.traceId()))) {
        unsampled.add(step.label());
      }
    }
    if (!unsampled.isEmpty()) {
      lines.add("");
      lines.add(
          style.paint(Paint.DIM, "Not sampled (no transactions sent): " + String.join(", ", unsampled)));
    }
    return lines;
  }
}

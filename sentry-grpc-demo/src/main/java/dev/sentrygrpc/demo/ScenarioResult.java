package dev.sentrygrpc.demo;

import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything the scripted storefront run did, step by step, as the storefront saw it. */
record ScenarioResult(List<StepResult> steps) {

  ScenarioResult {
    steps = List.copyOf(steps);
  }

  /** Error events Sentry should receive: one per order that hit the payment bug. */
  int expectedErrors() {
    return steps.stream().mapToInt(StepResult::expectedErrors).sum();
  }

  /** The trace ids of the steps whose traces were sampled, so should arrive as transactions. */
  List<String> sampledTraceIds() {
    List<String> ids = new ArrayList<>();
    for (StepResult step : steps) {
      if (step.sampled()) {
        ids.add(step.traceId());
      }
    }
    return ids;
  }

  /** Storefront calls counted by kind, then by status code, in a stable order. */
  Map<MethodType, Map<Status.Code, Integer>> callsByKindAndStatus() {
    Map<MethodType, Map<Status.Code, Integer>> byKind = new EnumMap<>(MethodType.class);
    for (StepResult step : steps) {
      byKind
          .computeIfAbsent(step.kind(), kind -> new TreeMap<>())
          .merge(step.code(), 1, Integer::sum);
    }
    return byKind;
  }
}

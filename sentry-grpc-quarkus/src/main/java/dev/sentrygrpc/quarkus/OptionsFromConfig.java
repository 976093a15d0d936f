package dev.sentrygrpc.quarkus;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code quarkus.sentry.grpc.*} as {@link SentryGrpcOptions}: one line per option, so a new
 * option is one method on {@link SentryGrpcConfig} and one line here.
 */
final class OptionsFromConfig {
  /** Quarkus refuses an empty value for a list: this one stands for the empty list. */
  static final String NONE = "none";

  private OptionsFromConfig() {}

  static SentryGrpcOptions.Builder builder(SentryGrpcConfig config) {
    return SentryGrpcOptions.builder()
        .rethrow(config.rethrow())
        .flushOnError(config.flushOnError().orElse(null))
        .ignoredMethods(values(config.ignoredMethods()))
        .capturedStatusCodes(codes("captured-status-codes", config.capturedStatusCodes()))
        .traceStreamingCalls(config.traceStreamingCalls())
        .capturedMetadata(values(config.capturedMetadata().orElse(List.of())))
        .continueIncomingTraces(config.continueIncomingTraces())
        .capturedClientStatusCodes(
            codes(
                "client.captured-status-codes",
                config.client().capturedStatusCodes().orElse(List.of())))
        .clientBreadcrumbs(config.client().breadcrumbs())
        .capturedErrorDetails(values(config.capturedErrorDetails().orElse(List.of())))
        .metrics(config.metrics().enabled())
        .metricsInterval(config.metrics().interval())
        .failedCallLogs(config.logs().failedCalls())
        .accessLogs(config.logs().access())
        .loggedStatusCodes(codes("logs.status-codes", config.logs().statusCodes()))
        .loggedClientStatusCodes(
            codes("logs.client-status-codes", config.logs().clientStatusCodes()))
        .maxLogsPerSecond(config.logs().maxPerSecond());
  }

  private static String[] values(List<String> values) {
    List<String> kept = new ArrayList<>();
    for (String value : values) {
      String trimmed = value.trim();
      if (!trimmed.isEmpty() && !(values.size() == 1 && NONE.equalsIgnoreCase(trimmed))) {
        kept.add(trimmed);
      }
    }
    return kept.toArray(new String[0]);
  }

  /**
   * Status code names in any case, with {@code -} or {@code _} ({@code data-loss}, {@code
   * DATA_LOSS}).
   *
   * @throws IllegalArgumentException naming the property and the codes it takes
   */
  static Status.Code[] codes(String property, List<String> names) {
    String[] values = values(names);
    Status.Code[] codes = new Status.Code[values.length];
    for (int i = 0; i < values.length; i++) {
      codes[i] = code(property, values[i]);
    }
    return codes;
  }

  private static Status.Code code(String property, String name) {
    try {
      return Status.Code.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "quarkus.sentry.grpc."
              + property
              + ": '"
              + name
              + "' is not a gRPC status code; use "
              + Arrays.toString(Status.Code.values())
              + " or "
              + NONE,
          e);
    }
  }
}

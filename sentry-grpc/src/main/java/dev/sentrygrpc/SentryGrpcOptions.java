package dev.sentrygrpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.sentry.IScopes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * gRPC-specific settings of {@link SentryServerInterceptor} and {@link SentryClientInterceptor}.
 *
 * <p>Everything a Sentry user already knows (DSN, sample rates, {@code debug}, {@code
 * sendDefaultPii}, environment, release, {@code tracePropagationTargets}, {@code
 * propagateTraceparent}, {@code ignoredSpanOrigins}, ...) stays in the SDK's own {@code
 * SentryOptions}; these options only cover what is particular to gRPC.
 *
 * <p>Immutable and safe to share: build one with {@link #builder()}, change a copy with {@link
 * #toBuilder()}.
 */
public final class SentryGrpcOptions {

  private static final SentryGrpcOptions DEFAULTS = builder().build();

  private final boolean rethrow;
  private final Duration flushOnError;
  private final Function<? super Throwable, Status> exceptionStatus;
  private final List<String> ignoredMethods;
  private final Set<Status.Code> capturedStatusCodes;
  private final boolean traceStreamingCalls;
  private final Set<String> capturedMetadata;
  private final BiPredicate<ServerCall<?, ?>, Metadata> continueIncomingTraces;
  private final Set<Status.Code> capturedClientStatusCodes;
  private final boolean clientBreadcrumbs;
  private final Set<String> capturedErrorDetails;
  private final IScopes scopes;
  private final boolean metrics;
  private final Duration metricsInterval;
  private final boolean failedCallLogs;
  private final boolean accessLogs;
  private final Set<Status.Code> loggedStatusCodes;
  private final Set<Status.Code> loggedClientStatusCodes;
  private final int maxLogsPerSecond;

  private SentryGrpcOptions(Builder builder) {
    this.rethrow = builder.rethrow;
    this.flushOnError = builder.flushOnError;
    this.exceptionStatus = builder.exceptionStatus;
    this.ignoredMethods = Collections.unmodifiableList(new ArrayList<>(builder.ignoredMethods));
    this.capturedStatusCodes = Collections.unmodifiableSet(copyOf(builder.capturedStatusCodes));
    this.traceStreamingCalls = builder.traceStreamingCalls;
    this.capturedMetadata =
        Collections.unmodifiableSet(new LinkedHashSet<>(builder.capturedMetadata));
    this.continueIncomingTraces = builder.continueIncomingTraces;
    this.capturedClientStatusCodes =
        Collections.unmodifiableSet(copyOf(builder.capturedClientStatusCodes));
    this.clientBreadcrumbs = builder.clientBreadcrumbs;
    this.capturedErrorDetails =
        Collections.unmodifiableSet(new LinkedHashSet<>(builder.capturedErrorDetails));
    this.scopes = builder.scopes;
    this.metrics = builder.metrics;
    this.metricsInterval = builder.metricsInterval;
    this.failedCallLogs = builder.failedCallLogs;
    this.accessLogs = builder.accessLogs;
    this.loggedStatusCodes = Collections.unmodifiableSet(copyOf(builder.loggedStatusCodes));
    this.loggedClientStatusCodes =
        Collections.unmodifiableSet(copyOf(builder.loggedClientStatusCodes));
    this.maxLogsPerSecond = builder.maxLogsPerSecond;
  }

  /** The defaults: what {@code new SentryServerInterceptor()} and the client use. */
  public static SentryGrpcOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Whether an exception thrown by a service method goes on to grpc-java after it was captured
   * (the client then sees {@code UNKNOWN}), or is swallowed and the call closed with {@code
   * INTERNAL}. Default {@code true}.
   */
  public boolean rethrow() {
    return rethrow;
  }

  /**
   * How long the server waits for the SDK to deliver a captured exception before the call goes
   * on, or {@code null} (the default) for not waiting. For short-lived processes such as
   * serverless functions, where the process may end right after the call.
   */
  public Duration flushOnError() {
    return flushOnError;
  }

  /**
   * How an exception thrown by a service method turns into the status the client sees, or {@code
   * null} (the default) for grpc-java's own answer ({@code UNKNOWN}). Set it when something else
   * translates exceptions: Spring gRPC's {@code GrpcExceptionHandler}, or an exception-handling
   * interceptor of your own that runs outside this one. The transaction then gets the status
   * the client saw, and only exceptions mapped to one of {@link #capturedStatusCodes()} become
   * events. Without {@link #rethrow()}, the interceptor itself closes the call with it.
   */
  public Function<? super Throwable, Status> exceptionStatus() {
    return exceptionStatus;
  }

  /**
   * Full method names ({@code package.Service/Method}) that get no transaction, span, event or
   * headers. {@code *} matches any run of characters. Default {@code grpc.health.v1.Health/*} and
   * {@code grpc.reflection.*}.
   */
  public List<String> ignoredMethods() {
    return ignoredMethods;
  }

  /**
   * Server status codes that turn a call closed with a cause into an error event. Default {@code
   * UNKNOWN}, {@code INTERNAL} and {@code DATA_LOSS}: expected outcomes such as {@code NOT_FOUND}
   * only set the transaction's status.
   */
  public Set<Status.Code> capturedStatusCodes() {
    return capturedStatusCodes;
  }

  /**
   * Whether streaming calls get a transaction (one per call, however many messages). Default
   * {@code true}. With {@code false} they still continue the incoming trace and capture
   * exceptions.
   */
  public boolean traceStreamingCalls() {
    return traceStreamingCalls;
  }

  /**
   * Request metadata keys (lower case) attached to the {@code grpc} context even without {@code
   * sendDefaultPii}. Sensitive keys (authorization, cookies, tokens, secrets, ...) and binary
   * ({@code -bin}) keys are never attached, whatever is listed here.
   */
  public Set<String> capturedMetadata() {
    return capturedMetadata;
  }

  /**
   * Decides, per incoming call, whether its {@code sentry-trace}/{@code baggage} metadata is
   * continued. A service facing the internet can refuse, so callers cannot force sampling or join
   * traces: the call then starts a new trace. Default: always continue (the SDK's own {@code
   * strictTraceContinuation} and {@code orgId} checks still apply).
   */
  public BiPredicate<ServerCall<?, ?>, Metadata> continueIncomingTraces() {
    return continueIncomingTraces;
  }

  /**
   * Client status codes for which a failed outgoing call is captured as an error event. Default
   * none: a failed call sets its span's status only.
   */
  public Set<Status.Code> capturedClientStatusCodes() {
    return capturedClientStatusCodes;
  }

  /** Whether each finished outgoing call leaves a breadcrumb. Default {@code true}. */
  public boolean clientBreadcrumbs() {
    return clientBreadcrumbs;
  }

  /**
   * Parts of a failed call's rich error details ({@code google.rpc.Status} in the {@code
   * grpc-status-details-bin} trailer) attached to events even without {@code sendDefaultPii}:
   * {@code "ErrorInfo.metadata"}, {@code "LocalizedMessage"}, {@code "DebugInfo"}, {@code
   * "RequestInfo"}, {@code "ResourceInfo.owner"}. They may carry personal data or a service's
   * internals, so by default they are sent only with {@code sendDefaultPii}. The rest of the
   * details (ErrorInfo reason and domain, field violations, retry delay, quota and precondition
   * violations, resource, help links) is always sent. Details are read only when protobuf-java and
   * {@code com.google.api.grpc:proto-google-common-protos} are on the class path. Default none.
   */
  public Set<String> capturedErrorDetails() {
    return capturedErrorDetails;
  }

  /**
   * The scopes the interceptors fork from (server) or read from (client), or {@code null} (the
   * default) for the SDK's current scopes. For tests and for applications with more than one
   * Sentry client.
   */
  public IScopes scopes() {
    return scopes;
  }

  /**
   * Whether every call is counted in RPC metrics sent through Sentry's metrics API: per method,
   * method type and status code, exact call counts and a latency distribution, added up in the
   * interceptor and sent every {@link #metricsInterval()}, so the volume depends on the number of
   * methods and codes, not on the traffic. Default {@code false}. Needs io.sentry:sentry 8.30.0 or
   * newer (older SDKs have no metrics API: nothing is recorded), and Sentry's metrics left on
   * ({@code options.getMetrics().isEnabled()}, their default). What is sent is in the README.
   */
  public boolean metrics() {
    return metrics;
  }

  /**
   * How often the RPC metrics are sent. Default 10 seconds. The last interval is sent when the SDK
   * closes ({@code Sentry.close()}).
   */
  public Duration metricsInterval() {
    return metricsInterval;
  }

  /**
   * Whether a call that ends with one of {@link #loggedStatusCodes()} (server) or {@link
   * #loggedClientStatusCodes()} (client) gives one Sentry log (ERROR on the server, WARN on the
   * client) with its method, code, description and duration, linked to its trace. Default {@code
   * false}. Only when Sentry's logs are on ({@code options.getLogs().setEnabled(true)}); capped by
   * {@link #maxLogsPerSecond()}.
   */
  public boolean failedCallLogs() {
    return failedCallLogs;
  }

  /**
   * Whether every call gives a Sentry log at INFO (an access log), besides the failures {@link
   * #failedCallLogs()} logs. Default {@code false}. Only when Sentry's logs are on; capped by {@link
   * #maxLogsPerSecond()}.
   */
  public boolean accessLogs() {
    return accessLogs;
  }

  /**
   * Server status codes that {@link #failedCallLogs()} logs. Default {@code UNKNOWN}, {@code
   * INTERNAL} and {@code DATA_LOSS}, as {@link #capturedStatusCodes()}.
   */
  public Set<Status.Code> loggedStatusCodes() {
    return loggedStatusCodes;
  }

  /**
   * Client status codes that {@link #failedCallLogs()} logs. Default {@code UNKNOWN}, {@code
   * INTERNAL}, {@code DATA_LOSS}, {@code DEADLINE_EXCEEDED} and {@code UNAVAILABLE}.
   */
  public Set<Status.Code> loggedClientStatusCodes() {
    return loggedClientStatusCodes;
  }

  /**
   * The most call logs each interceptor sends per second on average; twice as many may go in a
   * burst, and what is left out is counted on the next log ({@code grpc.logs.suppressed}). Default
   * 50, so a burst of failures cannot fill the SDK's queue of 1,000 logs. At least 1.
   */
  public int maxLogsPerSecond() {
    return maxLogsPerSecond;
  }

  @Override
  public String toString() {
    return "SentryGrpcOptions{rethrow="
        + rethrow
        + ", flushOnError="
        + flushOnError
        + ", exceptionStatus="
        + exceptionStatus
        + ", ignoredMethods="
        + ignoredMethods
        + ", capturedStatusCodes="
        + capturedStatusCodes
        + ", traceStreamingCalls="
        + traceStreamingCalls
        + ", capturedMetadata="
        + capturedMetadata
        + ", capturedClientStatusCodes="
        + capturedClientStatusCodes
        + ", clientBreadcrumbs="
        + clientBreadcrumbs
        + ", capturedErrorDetails="
        + capturedErrorDetails
        + ", metrics="
        + metrics
        + ", metricsInterval="
        + metricsInterval
        + ", failedCallLogs="
        + failedCallLogs
        + ", accessLogs="
        + accessLogs
        + ", loggedStatusCodes="
        + loggedStatusCodes
        + ", loggedClientStatusCodes="
        + loggedClientStatusCodes
        + ", maxLogsPerSecond="
        + maxLogsPerSecond
        + "}";
  }

  private static Set<Status.Code> copyOf(Set<Status.Code> codes) {
    return codes.isEmpty() ? EnumSet.noneOf(Status.Code.class) : EnumSet.copyOf(codes);
  }

  /** Builds {@link SentryGrpcOptions}. Not thread-safe. */
  public static final class Builder {
    private static final BiPredicate<ServerCall<?, ?>, Metadata> ALWAYS = (call, headers) -> true;
    private static final BiPredicate<ServerCall<?, ?>, Metadata> NEVER = (call, headers) -> false;

    private boolean rethrow = true;
    private Duration flushOnError;
    private Function<? super Throwable, Status> exceptionStatus;
    private List<String> ignoredMethods =
        Arrays.asList("grpc.health.v1.Health/*", "grpc.reflection.*");
    private Set<Status.Code> capturedStatusCodes =
        EnumSet.of(Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.DATA_LOSS);
    private boolean traceStreamingCalls = true;
    private Set<String> capturedMetadata = Collections.emptySet();
    private BiPredicate<ServerCall<?, ?>, Metadata> continueIncomingTraces = ALWAYS;
    private Set<Status.Code> capturedClientStatusCodes = EnumSet.noneOf(Status.Code.class);
    private boolean clientBreadcrumbs = true;
    private Set<String> capturedErrorDetails = Collections.emptySet();
    private IScopes scopes;
    private boolean metrics;
    private Duration metricsInterval = Duration.ofSeconds(10);
    private boolean failedCallLogs;
    private boolean accessLogs;
    private Set<Status.Code> loggedStatusCodes =
        EnumSet.of(Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.DATA_LOSS);
    private Set<Status.Code> loggedClientStatusCodes =
        EnumSet.of(
            Status.Code.UNKNOWN,
            Status.Code.INTERNAL,
            Status.Code.DATA_LOSS,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.UNAVAILABLE);
    private int maxLogsPerSecond = 50;

    private Builder() {}

    private Builder(SentryGrpcOptions options) {
      this.rethrow = options.rethrow;
      this.flushOnError = options.flushOnError;
      this.exceptionStatus = options.exceptionStatus;
      this.ignoredMethods = options.ignoredMethods;
      this.capturedStatusCodes = options.capturedStatusCodes;
      this.traceStreamingCalls = options.traceStreamingCalls;
      this.capturedMetadata = options.capturedMetadata;
      this.continueIncomingTraces = options.continueIncomingTraces;
      this.capturedClientStatusCodes = options.capturedClientStatusCodes;
      this.clientBreadcrumbs = options.clientBreadcrumbs;
      this.capturedErrorDetails = options.capturedErrorDetails;
      this.scopes = options.scopes;
      this.metrics = options.metrics;
      this.metricsInterval = options.metricsInterval;
      this.failedCallLogs = options.failedCallLogs;
      this.accessLogs = options.accessLogs;
      this.loggedStatusCodes = options.loggedStatusCodes;
      this.loggedClientStatusCodes = options.loggedClientStatusCodes;
      this.maxLogsPerSecond = options.maxLogsPerSecond;
    }

    /** See {@link SentryGrpcOptions#rethrow()}. */
    public Builder rethrow(boolean rethrow) {
      this.rethrow = rethrow;
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#flushOnError()}. {@code null} or zero turns it off.
     *
     * @throws IllegalArgumentException when the duration is negative
     */
    public Builder flushOnError(Duration timeout) {
      if (timeout != null && timeout.isNegative()) {
        throw new IllegalArgumentException("flushOnError must not be negative: " + timeout);
      }
      this.flushOnError = timeout == null || timeout.isZero() ? null : timeout;
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#exceptionStatus()}. {@code null} restores grpc-java's answer;
     * a function that throws or returns null is treated the same way for that exception.
     */
    public Builder exceptionStatus(Function<? super Throwable, Status> exceptionStatus) {
      this.exceptionStatus = exceptionStatus;
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#ignoredMethods()}. Replaces the defaults; call with no
     * argument to ignore nothing.
     */
    public Builder ignoredMethods(String... globs) {
      this.ignoredMethods = Arrays.asList(requireNoNulls(globs, "ignoredMethods"));
      return this;
    }

    /** See {@link SentryGrpcOptions#capturedStatusCodes()}. Replaces the defaults. */
    public Builder capturedStatusCodes(Status.Code... codes) {
      this.capturedStatusCodes = codeSet(codes, "capturedStatusCodes");
      return this;
    }

    /** See {@link SentryGrpcOptions#traceStreamingCalls()}. */
    public Builder traceStreamingCalls(boolean traceStreamingCalls) {
      this.traceStreamingCalls = traceStreamingCalls;
      return this;
    }

    /** See {@link SentryGrpcOptions#capturedMetadata()}. Keys are matched ignoring case. */
    public Builder capturedMetadata(String... keys) {
      Set<String> lowerCase = new LinkedHashSet<>();
      for (String key : requireNoNulls(keys, "capturedMetadata")) {
        lowerCase.add(key.toLowerCase(Locale.ROOT));
      }
      this.capturedMetadata = lowerCase;
      return this;
    }

    /** Continue incoming traces always ({@code true}, the default) or never ({@code false}). */
    public Builder continueIncomingTraces(boolean continueIncomingTraces) {
      this.continueIncomingTraces = continueIncomingTraces ? ALWAYS : NEVER;
      return this;
    }

    /** See {@link SentryGrpcOptions#continueIncomingTraces()}. */
    public Builder continueIncomingTraces(BiPredicate<ServerCall<?, ?>, Metadata> decision) {
      if (decision == null) {
        throw new IllegalArgumentException("continueIncomingTraces must not be null");
      }
      this.continueIncomingTraces = decision;
      return this;
    }

    /** See {@link SentryGrpcOptions#capturedClientStatusCodes()}. */
    public Builder capturedClientStatusCodes(Status.Code... codes) {
      this.capturedClientStatusCodes = codeSet(codes, "capturedClientStatusCodes");
      return this;
    }

    /** See {@link SentryGrpcOptions#clientBreadcrumbs()}. */
    public Builder clientBreadcrumbs(boolean clientBreadcrumbs) {
      this.clientBreadcrumbs = clientBreadcrumbs;
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#capturedErrorDetails()}. Names are matched ignoring case;
     * replaces what was set before, and no argument lists nothing.
     *
     * @throws IllegalArgumentException for a name that is not one of the five parts
     */
    public Builder capturedErrorDetails(String... parts) {
      Set<String> canonical = new LinkedHashSet<>();
      for (String part : requireNoNulls(parts, "capturedErrorDetails")) {
        String known = ErrorDetailsReader.protectedPart(part);
        if (known == null) {
          throw new IllegalArgumentException(
              "capturedErrorDetails: unknown part '"
                  + part
                  + "'; one of "
                  + ErrorDetailsReader.PROTECTED_PARTS);
        }
        canonical.add(known);
      }
      this.capturedErrorDetails = canonical;
      return this;
    }

    /** See {@link SentryGrpcOptions#scopes()}. {@code null} means the SDK's current scopes. */
    public Builder scopes(IScopes scopes) {
      this.scopes = scopes;
      return this;
    }

    /** See {@link SentryGrpcOptions#metrics()}. */
    public Builder metrics(boolean metrics) {
      this.metrics = metrics;
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#metricsInterval()}.
     *
     * @throws IllegalArgumentException when the interval is null or shorter than 100 ms (which
     *     would turn the aggregation back into a point per call)
     */
    public Builder metricsInterval(Duration interval) {
      if (interval == null || interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("metricsInterval must be at least 100 ms: " + interval);
      }
      this.metricsInterval = interval;
      return this;
    }

    /** See {@link SentryGrpcOptions#failedCallLogs()}. */
    public Builder failedCallLogs(boolean failedCallLogs) {
      this.failedCallLogs = failedCallLogs;
      return this;
    }

    /** See {@link SentryGrpcOptions#accessLogs()}. */
    public Builder accessLogs(boolean accessLogs) {
      this.accessLogs = accessLogs;
      return this;
    }

    /** See {@link SentryGrpcOptions#loggedStatusCodes()}. Replaces the defaults. */
    public Builder loggedStatusCodes(Status.Code... codes) {
      this.loggedStatusCodes = codeSet(codes, "loggedStatusCodes");
      return this;
    }

    /** See {@link SentryGrpcOptions#loggedClientStatusCodes()}. Replaces the defaults. */
    public Builder loggedClientStatusCodes(Status.Code... codes) {
      this.loggedClientStatusCodes = codeSet(codes, "loggedClientStatusCodes");
      return this;
    }

    /**
     * See {@link SentryGrpcOptions#maxLogsPerSecond()}.
     *
     * @throws IllegalArgumentException when it is below 1 (turn the logs off instead)
     */
    public Builder maxLogsPerSecond(int maxLogsPerSecond) {
      if (maxLogsPerSecond < 1) {
        throw new IllegalArgumentException("maxLogsPerSecond must be at least 1: " + maxLogsPerSecond);
      }
      this.maxLogsPerSecond = maxLogsPerSecond;
      return this;
    }

    public SentryGrpcOptions build() {
      return new SentryGrpcOptions(this);
    }

    private static Set<Status.Code> codeSet(Status.Code[] codes, String option) {
      Set<Status.Code> set = EnumSet.noneOf(Status.Code.class);
      set.addAll(Arrays.asList(requireNoNulls(codes, option)));
      return set;
    }

    private static <T> T[] requireNoNulls(T[] values, String option) {
      if (values == null) {
        throw new IllegalArgumentException(option + " must not be null");
      }
      for (T value : values) {
        if (value == null) {
          throw new IllegalArgumentException(option + " must not contain null");
        }
      }
      return values.clone();
    }
  }
}

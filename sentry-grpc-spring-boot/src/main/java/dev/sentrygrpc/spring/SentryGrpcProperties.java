package dev.sentrygrpc.spring;

import dev.sentrygrpc.SentryGrpcOptions;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * The {@code sentry.grpc.*} properties: one for each {@link SentryGrpcOptions} setting, plus
 * switches and the interceptors' places in the gRPC framework's chains (Spring gRPC's or net.devh
 * grpc-spring's). Everything else (DSN, sample
 * rates, {@code send-default-pii}, trace propagation targets) is Sentry's own {@code sentry.*}.
 *
 * <p>Defaults are those of {@link SentryGrpcOptions#defaults()}: collections are copied from it,
 * flags are written out so the configuration processor can show them (a test keeps them equal).
 */
@ConfigurationProperties("sentry.grpc")
public final class SentryGrpcProperties {

  /**
   * The default place of both interceptors with Spring gRPC, and of the client interceptor with
   * net.devh grpc-spring: just inside Spring gRPC's exception handling ({@code
   * GrpcExceptionHandlerInterceptor}, {@link Ordered#HIGHEST_PRECEDENCE}), so Sentry sees the
   * exceptions service methods throw before they become statuses, and outside everything else
   * (Spring Security's interceptors at -10 and 0, Micrometer observation at 0). The gap of 1000
   * leaves room for an application's own interceptors on either side. (net.devh's server
   * interceptors sit elsewhere: see {@link Server#orderOr(int)}.)
   */
  public static final int DEFAULT_ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

  private static final SentryGrpcOptions DEFAULTS = SentryGrpcOptions.defaults();

  /** Whether Sentry instruments gRPC calls at all. */
  private boolean enabled = true;

  /**
   * Full method names (package.Service/Method) that get no transaction, span, event or trace
   * headers; '*' matches any run of characters. Setting it replaces the defaults; an empty value
   * ignores nothing.
   */
  private List<String> ignoredMethods = new ArrayList<>(DEFAULTS.ignoredMethods());

  /**
   * Server status codes for which a call closed with a cause, or an exception thrown inside the
   * framework's exception handling (Spring gRPC's GrpcExceptionHandler beans, net.devh's
   * @GrpcAdvice) that it maps to one of them, is captured as an error event. Expected outcomes such as NOT_FOUND only set the transaction's
   * status.
   */
  private Set<Status.Code> capturedStatusCodes = codes(DEFAULTS.capturedStatusCodes());

  /**
   * Whether an exception thrown by a service method is passed on to the framework's exception
   * handling, which turns it into the status the client sees, or swallowed and the call closed by
   * Sentry, with the status that exception handling would give it, else INTERNAL. Either way it
   * is captured first when it is an error. Keep it on: off, the framework's exception handling
   * never sees the exception.
   */
  private boolean rethrow = true;

  /**
   * How long a call waits for the SDK to deliver a captured exception before it goes on. Unset
   * (the default) or zero for not waiting; for processes that may end right after the call.
   */
  private Duration flushOnError;

  /**
   * Whether streaming calls get a transaction (one per call, however many messages). Without it
   * they still continue the incoming trace and capture exceptions.
   */
  private boolean traceStreamingCalls = true;

  /**
   * Request metadata keys attached to events' 'grpc' context even without
   * sentry.send-default-pii. Sensitive keys (authorization, cookies, tokens, secrets...) and
   * binary (-bin) keys are never attached, whatever is listed.
   */
  private Set<String> capturedMetadata = new LinkedHashSet<>(DEFAULTS.capturedMetadata());

  /**
   * Parts of a failed call's rich error details (google.rpc.Status) attached to events even
   * without sentry.send-default-pii: ErrorInfo.metadata, LocalizedMessage, DebugInfo, RequestInfo,
   * ResourceInfo.owner. The rest of the details (reason, domain, field violations, retry delay,
   * ...) is always attached.
   */
  private Set<String> capturedErrorDetails = new LinkedHashSet<>(DEFAULTS.capturedErrorDetails());

  /**
   * Whether incoming sentry-trace/baggage metadata is continued. Turn it off for services facing
   * the internet, so callers cannot join their traces or force sampling: each call then starts a
   * trace of its own. For a per-call decision, define a SentryGrpcOptionsCustomizer bean.
   */
  private boolean continueIncomingTraces = true;

  private final Server server = new Server();

  private final Client client = new Client();

  private final Metrics metrics = new Metrics();

  private final Logs logs = new Logs();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getIgnoredMethods() {
    return ignoredMethods;
  }

  public void setIgnoredMethods(List<String> ignoredMethods) {
    this.ignoredMethods = ignoredMethods;
  }

  public Set<Status.Code> getCapturedStatusCodes() {
    return capturedStatusCodes;
  }

  public void setCapturedStatusCodes(Set<Status.Code> capturedStatusCodes) {
    this.capturedStatusCodes = capturedStatusCodes;
  }

  public boolean isRethrow() {
    return rethrow;
  }

  public void setRethrow(boolean rethrow) {
    this.rethrow = rethrow;
  }

  public Duration getFlushOnError() {
    return flushOnError;
  }

  public void setFlushOnError(Duration flushOnError) {
    this.flushOnError = flushOnError;
  }

  public boolean isTraceStreamingCalls() {
    return traceStreamingCalls;
  }

  public void setTraceStreamingCalls(boolean traceStreamingCalls) {
    this.traceStreamingCalls = traceStreamingCalls;
  }

  public Set<String> getCapturedMetadata() {
    return capturedMetadata;
  }

  public void setCapturedMetadata(Set<String> capturedMetadata) {
    this.capturedMetadata = capturedMetadata;
  }

  public Set<String> getCapturedErrorDetails() {
    return capturedErrorDetails;
  }

  public void setCapturedErrorDetails(Set<String> capturedErrorDetails) {
    this.capturedErrorDetails = capturedErrorDetails;
  }

  public boolean isContinueIncomingTraces() {
    return continueIncomingTraces;
  }

  public void setContinueIncomingTraces(boolean continueIncomingTraces) {
    this.continueIncomingTraces = continueIncomingTraces;
  }

  public Server getServer() {
    return server;
  }

  public Client getClient() {
    return client;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Logs getLogs() {
    return logs;
  }

  /** The options these properties describe, before any {@link SentryGrpcOptionsCustomizer}. */
  SentryGrpcOptions.Builder toOptionsBuilder() {
    return SentryGrpcOptions.builder()
        .rethrow(rethrow)
        .flushOnError(flushOnError)
        .ignoredMethods(nonNull(ignoredMethods).toArray(new String[0]))
        .capturedStatusCodes(nonNull(capturedStatusCodes).toArray(new Status.Code[0]))
        .traceStreamingCalls(traceStreamingCalls)
        .capturedMetadata(nonNull(capturedMetadata).toArray(new String[0]))
        .capturedErrorDetails(nonNull(capturedErrorDetails).toArray(new String[0]))
        .continueIncomingTraces(continueIncomingTraces)
        .capturedClientStatusCodes(nonNull(client.capturedStatusCodes).toArray(new Status.Code[0]))
        .clientBreadcrumbs(client.breadcrumbs)
        .metrics(metrics.enabled)
        .metricsInterval(metrics.interval)
        .failedCallLogs(logs.failedCalls)
        .accessLogs(logs.access)
        .loggedStatusCodes(nonNull(logs.statusCodes).toArray(new Status.Code[0]))
        .loggedClientStatusCodes(nonNull(logs.clientStatusCodes).toArray(new Status.Code[0]))
        .maxLogsPerSecond(logs.maxPerSecond);
  }

  /** An empty property ({@code sentry.grpc.ignored-methods=}) can bind as null. */
  private static <T> Collection<T> nonNull(Collection<T> values) {
    return values == null ? new ArrayList<>() : values;
  }

  private static Set<Status.Code> codes(Set<Status.Code> codes) {
    Set<Status.Code> copy = EnumSet.noneOf(Status.Code.class);
    copy.addAll(codes);
    return copy;
  }

  /** {@code sentry.grpc.server.*}: the server interceptor. */
  public static final class Server {

    /** Whether the Sentry server interceptor is registered with the gRPC framework. */
    private boolean enabled = true;

    /**
     * Place of the Sentry server interceptor among the gRPC framework's global server
     * interceptors; lower runs first (outer). Unset, it goes just inside the framework's exception
     * handling and outside security and observation: Ordered.HIGHEST_PRECEDENCE + 1000 with
     * Spring gRPC, 1000 with net.devh grpc-spring (whose @GrpcAdvice handling sits at 0).
     */
    private Integer order;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Integer getOrder() {
      return order;
    }

    public void setOrder(Integer order) {
      this.order = order;
    }

    /**
     * The order set, or else the framework's default place.
     *
     * @param frameworkDefault where the framework in use wants it by default
     * @return the order to give the server interceptor
     */
    public int orderOr(int frameworkDefault) {
      return order != null ? order : frameworkDefault;
    }
  }

  /** {@code sentry.grpc.client.*}: the client interceptor. */
  public static final class Client {

    /** Whether the Sentry client interceptor is registered with the gRPC framework's channels. */
    private boolean enabled = true;

    /**
     * Place of the Sentry client interceptor among the gRPC framework's global client
     * interceptors; lower runs first (outer). The default puts it outside observation and other
     * interceptors, so its span covers them and it sees the status the caller sees.
     */
    private int order = DEFAULT_ORDER;

    /**
     * Client status codes for which a failed outgoing call is captured as an error event. By
     * default none: a failed call only sets its span's status.
     */
    private Set<Status.Code> capturedStatusCodes = codes(DEFAULTS.capturedClientStatusCodes());

    /** Whether each finished outgoing call leaves a breadcrumb. */
    private boolean breadcrumbs = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getOrder() {
      return order;
    }

    public void setOrder(int order) {
      this.order = order;
    }

    public Set<Status.Code> getCapturedStatusCodes() {
      return capturedStatusCodes;
    }

    public void setCapturedStatusCodes(Set<Status.Code> capturedStatusCodes) {
      this.capturedStatusCodes = capturedStatusCodes;
    }

    public boolean isBreadcrumbs() {
      return breadcrumbs;
    }

    public void setBreadcrumbs(boolean breadcrumbs) {
      this.breadcrumbs = breadcrumbs;
    }
  }

  /** {@code sentry.grpc.metrics.*}: RPC metrics for every call, through Sentry's Metrics. */
  public static final class Metrics {

    /**
     * Whether every call is counted per method and status code (call counts, message counts and
     * latency) and sent through Sentry's Metrics, whatever the trace sample rate. Needs
     * io.sentry:sentry 8.30.0 or newer.
     */
    private boolean enabled = false;

    /** How often the metrics are sent; the last interval is sent when Sentry closes. */
    private Duration interval = DEFAULTS.metricsInterval();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** {@code sentry.grpc.logs.*}: Sentry logs of calls, when sentry.logs.enabled is on. */
  public static final class Logs {

    /**
     * Whether a call that ends with one of the logged status codes gives a Sentry log (ERROR on
     * the server, WARN on the client), in its trace.
     */
    private boolean failedCalls = false;

    /** Whether every call gives a Sentry log at INFO (an access log). */
    private boolean access = false;

    /** Server status codes that give a log of a failed call. */
    private Set<Status.Code> statusCodes = codes(DEFAULTS.loggedStatusCodes());

    /** Client status codes that give a log of a failed call. */
    private Set<Status.Code> clientStatusCodes = codes(DEFAULTS.loggedClientStatusCodes());

    /**
     * The most call logs each interceptor sends per second on average (twice that in a burst);
     * the rest are counted on the next log instead of being sent.
     */
    private int maxPerSecond = DEFAULTS.maxLogsPerSecond();

    public boolean isFailedCalls() {
      return failedCalls;
    }

    public void setFailedCalls(boolean failedCalls) {
      this.failedCalls = failedCalls;
    }

    public boolean isAccess() {
      return access;
    }

    public void setAccess(boolean access) {
      this.access = access;
    }

    public Set<Status.Code> getStatusCodes() {
      return statusCodes;
    }

    public void setStatusCodes(Set<Status.Code> statusCodes) {
      this.statusCodes = statusCodes;
    }

    public Set<Status.Code> getClientStatusCodes() {
      return clientStatusCodes;
    }

    public void setClientStatusCodes(Set<Status.Code> clientStatusCodes) {
      this.clientStatusCodes = clientStatusCodes;
    }

    public int getMaxPerSecond() {
      return maxPerSecond;
    }

    public void setMaxPerSecond(int maxPerSecond) {
      this.maxPerSecond = maxPerSecond;
    }
  }
}

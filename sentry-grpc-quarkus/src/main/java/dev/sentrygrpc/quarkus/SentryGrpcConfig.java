package dev.sentrygrpc.quarkus;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code quarkus.sentry.grpc.*} configuration: one property for each setting of {@code
 * dev.sentrygrpc.SentryGrpcOptions}, plus switches and the interceptors' priorities among
 * Quarkus's gRPC interceptors. Everything else (DSN, sample rate, environment, ...) is
 * quarkus-logging-sentry's {@code quarkus.log.sentry.*}.
 *
 * <p>Defaults are those of {@code SentryGrpcOptions.defaults()} (a test keeps them equal). Quarkus
 * refuses an empty value for a list (it reads it as missing): to empty a list whose default is
 * not empty, set it to {@code none}.
 */
@ConfigMapping(prefix = "quarkus.sentry.grpc")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface SentryGrpcConfig {

  /** The priority of both interceptors unless configured: see {@link Server#priority()}. */
  int DEFAULT_PRIORITY = Integer.MAX_VALUE - 10;

  /** Whether Sentry instruments gRPC calls at all. */
  @WithDefault("true")
  boolean enabled();

  /**
   * Full method names ({@code package.Service/Method}) that get no transaction, span, event or
   * trace headers; {@code *} matches any run of characters. Setting it replaces the defaults;
   * {@code none} ignores nothing.
   */
  @WithDefault("grpc.health.v1.Health/*,grpc.reflection.*")
  List<String> ignoredMethods();

  /**
   * Server status codes (names of {@code io.grpc.Status.Code}, in any case, with {@code -} or
   * {@code _}) for which a call closed with a cause, such as an exception Quarkus's exception
   * handling turned into {@code UNKNOWN}, is captured as an error event. Expected outcomes such as
   * {@code NOT_FOUND} only set the transaction's status. {@code none} captures no call.
   */
  @WithDefault("unknown,internal,data-loss")
  List<String> capturedStatusCodes();

  /**
   * Whether an exception that reaches the Sentry interceptor is passed on after it was captured,
   * or swallowed and the call closed with {@code INTERNAL}. Quarkus's own exception handling runs
   * inside the Sentry interceptor and turns what service methods throw into statuses first, so
   * this only concerns exceptions of interceptors that run inside it when a call starts.
   */
  @WithDefault("true")
  boolean rethrow();

  /**
   * How long a call waits for the SDK to deliver a captured exception before it goes on (e.g.
   * {@code 2s}). Unset (the default) or zero for not waiting; for processes that may end right
   * after the call.
   */
  Optional<Duration> flushOnError();

  /**
   * Whether streaming calls get a transaction (one per call, however many messages). Without it
   * they still continue the incoming trace and capture exceptions.
   */
  @WithDefault("true")
  boolean traceStreamingCalls();

  /**
   * Request metadata keys attached to events' {@code grpc} context even without Sentry's {@code
   * sendDefaultPii}. Sensitive keys (authorization, cookies, tokens, secrets...) and binary
   * ({@code -bin}) keys are never attached, whatever is listed. Default none.
   */
  Optional<List<String>> capturedMetadata();

  /**
   * Whether incoming {@code sentry-trace}/{@code baggage} metadata is continued. Turn it off for
   * services facing the internet, so callers cannot join their traces or force sampling: each
   * call then starts a trace of its own. For a per-call decision, define a {@link
   * SentryGrpcOptionsCustomizer} bean.
   */
  @WithDefault("true")
  boolean continueIncomingTraces();

  /**
   * Parts of a failed call's rich error details ({@code google.rpc.Status}) attached even
   * without Sentry's {@code sendDefaultPii}: any of {@code ErrorInfo.metadata}, {@code
   * LocalizedMessage}, {@code DebugInfo}, {@code RequestInfo}, {@code ResourceInfo.owner} (in any
   * case). Default none.
   */
  Optional<List<String>> capturedErrorDetails();

  /** RPC metrics: exact call counts and latency for every call, through Sentry's Metrics. */
  Metrics metrics();

  /** Call logs through Sentry's Logs (only when Sentry Logs are on). */
  Logs logs();

  /** The server interceptor. */
  Server server();

  /** The client interceptor. */
  Client client();

  /** {@code quarkus.sentry.grpc.metrics.*}. */
  interface Metrics {

    /**
     * Whether every call is counted per method and status code, and its latency recorded, and
     * sent through Sentry's Metrics every {@code interval} (needs Sentry 8.30 or newer).
     */
    @WithDefault("false")
    boolean enabled();

    /** How often the counts go out (at least 100 ms), and on shutdown. */
    @WithDefault("10s")
    Duration interval();
  }

  /** {@code quarkus.sentry.grpc.logs.*}. */
  interface Logs {

    /** Whether each failed call (a code listed below) is one Sentry log, in the call's trace. */
    @WithDefault("false")
    boolean failedCalls();

    /** Whether every call is also an INFO access log, within {@code max-per-second}. */
    @WithDefault("false")
    boolean access();

    /** Server status codes that make a failed-call log; {@code none} for none. */
    @WithDefault("unknown,internal,data-loss")
    List<String> statusCodes();

    /** Client status codes that make a failed-call log; {@code none} for none. */
    @WithDefault("unknown,internal,data-loss,deadline-exceeded,unavailable")
    List<String> clientStatusCodes();

    /** At most this many call logs per second and interceptor (bursts of twice that). */
    @WithDefault("50")
    int maxPerSecond();
  }

  /** {@code quarkus.sentry.grpc.server.*}. */
  interface Server {

    /** Whether every gRPC service gets the Sentry server interceptor. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Its priority among Quarkus's gRPC server interceptors; higher runs first (outer). The
     * default, {@code Integer.MAX_VALUE - 10}, is just inside Quarkus's duplicated-context
     * interceptor ({@code MAX_VALUE - 5}), where service code runs within the call's Sentry
     * scopes, and outside its request-context, blocking, exception-handling and security
     * interceptors ({@code MAX_VALUE - 50} to {@code - 100}), so it sees what they do to the
     * call. Give every interceptor a priority of its own: Quarkus leaves the order of equal ones
     * undefined.
     */
    @WithDefault("2147483637")
    int priority();
  }

  /** {@code quarkus.sentry.grpc.client.*}. */
  interface Client {

    /** Whether every {@code @GrpcClient} (stub or channel) gets the Sentry client interceptor. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Its priority among the global gRPC client interceptors; higher runs first (outer). The
     * default, {@code Integer.MAX_VALUE - 10}, is just inside Quarkus's own I/O-thread
     * interceptor ({@code MAX_VALUE}), so its span covers every other interceptor (per-client
     * ones always run inside global ones).
     */
    @WithDefault("2147483637")
    int priority();

    /**
     * Client status codes for which a failed outgoing call is captured as an error event, as for
     * {@code captured-status-codes}. Default none: a failed call only sets its span's status.
     */
    Optional<List<String>> capturedStatusCodes();

    /** Whether each finished outgoing call leaves a breadcrumb. */
    @WithDefault("true")
    boolean breadcrumbs();
  }
}

package dev.sentrygrpc.spring;

/**
 * The names of the beans the auto-configurations register, the same with every gRPC framework
 * and Spring Boot generation. A bean of the application's with one of these names replaces ours.
 */
public final class SentryGrpcBeanNames {

  /** The {@link dev.sentrygrpc.SentryGrpcOptions} built from {@code sentry.grpc.*}. */
  public static final String OPTIONS = "sentryGrpcOptions";

  /** The server interceptor ({@link OrderedServerInterceptor} around a {@code SentryServerInterceptor}). */
  public static final String SERVER_INTERCEPTOR = "sentryGrpcServerInterceptor";

  /**
   * The interceptor that carries the call's scopes into grpc-kotlin coroutines (only with
   * grpc-kotlin and {@code sentry-kotlin-extensions} on the class path).
   */
  public static final String COROUTINE_INTERCEPTOR = "sentryGrpcCoroutineContextInterceptor";

  /** The client interceptor ({@link OrderedClientInterceptor} around a {@code SentryClientInterceptor}). */
  public static final String CLIENT_INTERCEPTOR = "sentryGrpcClientInterceptor";

  /**
   * The {@link SentryGrpcOptionsCustomizer} that sets the options' {@code exceptionStatus} from
   * the framework's exception handling, when the application uses it.
   */
  public static final String EXCEPTION_STATUS_CUSTOMIZER = "sentryGrpcExceptionStatus";

  private SentryGrpcBeanNames() {}
}

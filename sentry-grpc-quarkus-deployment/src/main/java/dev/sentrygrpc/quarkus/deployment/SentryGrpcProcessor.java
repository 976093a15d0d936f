package dev.sentrygrpc.quarkus.deployment;

import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.grpc.deployment.AdditionalGlobalInterceptorBuildItem;

/**
 * Registers the Sentry gRPC interceptors with quarkus-grpc: the server ones for every service,
 * the client one for every {@code @GrpcClient}. Whether they act is runtime configuration
 * ({@code quarkus.sentry.grpc.*}), so switching them off needs no rebuild.
 */
final class SentryGrpcProcessor {
  static final String FEATURE = "sentry-grpc";

  // By name: the runtime classes are package-private.
  private static final String RUNTIME = "dev.sentrygrpc.quarkus.";
  static final String SERVER_INTERCEPTOR = RUNTIME + "SentryQuarkusServerInterceptor";
  static final String WORKER_INTERCEPTOR = RUNTIME + "WorkerScopesInterceptor";
  static final String CLIENT_INTERCEPTOR = RUNTIME + "SentryQuarkusClientInterceptor";
  static final String OPTIONS_PRODUCER = RUNTIME + "SentryGrpcOptionsProducer";

  @BuildStep
  FeatureBuildItem feature() {
    return new FeatureBuildItem(FEATURE);
  }

  /**
   * Beans, kept although nothing injects them; the server interceptors are also named as global
   * ones (their {@code @GlobalInterceptor} alone is what the client side reads), which keeps
   * quarkus-grpc from warning that they are unused.
   */
  @BuildStep
  void interceptors(
      BuildProducer<AdditionalBeanBuildItem> beans,
      BuildProducer<AdditionalGlobalInterceptorBuildItem> globalInterceptors) {
    beans.produce(
        AdditionalBeanBuildItem.builder()
            .addBeanClasses(
                SERVER_INTERCEPTOR, WORKER_INTERCEPTOR, CLIENT_INTERCEPTOR, OPTIONS_PRODUCER)
            .setUnremovable()
            .build());
    globalInterceptors.produce(new AdditionalGlobalInterceptorBuildItem(SERVER_INTERCEPTOR));
    globalInterceptors.produce(new AdditionalGlobalInterceptorBuildItem(WORKER_INTERCEPTOR));
  }
}

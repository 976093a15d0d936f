package io.grpc.override;

import io.grpc.Context;
import io.opentelemetry.instrumentation.grpc.v1_6.internal.ContextStorageBridge;

/**
 * The {@link Context.Storage} of every benchmark JVM, chosen once per JVM when grpc-java first
 * uses a {@link Context}.
 *
 * <p>OpenTelemetry's {@code opentelemetry-grpc-1.6} ships a class of this name that bridges {@link
 * Context} to OpenTelemetry's context storage. It is a classpath-wide singleton: left in the jar it
 * would change the cost of every mode, {@code none} included. The benchmark jar leaves it out (see
 * the shade filter in the POM) and ships this one instead: with system property {@value #PROPERTY}
 * set to {@code otel} it installs OpenTelemetry's bridge exactly as OpenTelemetry's own override
 * does ({@code new ContextStorageBridge(true)}); otherwise grpc-java's own default storage
 * ({@code io.grpc.ThreadLocalContextStorage}), so every other mode runs what a plain grpc-java
 * application runs. The delegate is a static final field: the JIT inlines it, as it does the
 * default storage.
 *
 * <p>JMH runs every {@code @Param} combination in a fork of its own, and the benchmark states set
 * the property in {@code @Setup} before they touch grpc-java, so each mode gets its storage.
 */
public final class ContextStorageOverride extends Context.Storage {
  public static final String PROPERTY = "sentrygrpc.bench.grpcContextStorage";

  private static final Context.Storage DELEGATE = choose();

  /** Which storage this JVM uses: {@code otel} or {@code default}. */
  public static final String KIND = DELEGATE instanceof ContextStorageBridge ? "otel" : "default";

  private static Context.Storage choose() {
    if ("otel".equals(System.getProperty(PROPERTY))) {
      return new ContextStorageBridge(true);
    }
    try {
      Class<?> defaultStorage = Class.forName("io.grpc.ThreadLocalContextStorage");
      java.lang.reflect.Constructor<?> constructor = defaultStorage.getDeclaredConstructor();
      constructor.setAccessible(true);
      return (Context.Storage) constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("grpc-java's default context storage not found", e);
    }
  }

  @Override
  public Context doAttach(Context toAttach) {
    return DELEGATE.doAttach(toAttach);
  }

  @Override
  public void detach(Context toDetach, Context toRestore) {
    DELEGATE.detach(toDetach, toRestore);
  }

  @Override
  public Context current() {
    return DELEGATE.current();
  }
}

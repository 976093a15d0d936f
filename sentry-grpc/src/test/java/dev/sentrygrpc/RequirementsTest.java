package dev.sentrygrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Preconditions;
import io.grpc.Context;
import io.grpc.ServerInterceptor;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * sentry-grpc brings neither grpc-java nor the SDK (both are {@code provided}), so an application
 * that lacks the SDK must hear so in words when it builds an interceptor, not meet a {@code
 * NoClassDefFoundError} inside its first call.
 */
class RequirementsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"dev.sentrygrpc.SentryServerInterceptor", "dev.sentrygrpc.SentryClientInterceptor"})
  void anInterceptorBuiltWithoutTheSdkSaysWhatToAdd(String interceptor) throws Exception {
    try (URLClassLoader withoutSentry = classPathWithoutTheSdk()) {
      Class<?> type = Class.forName(interceptor, true, withoutSentry);

      assertThatThrownBy(() -> type.getConstructor().newInstance())
          .isInstanceOf(InvocationTargetException.class)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "sentry-grpc needs the Sentry Java SDK (io.sentry:sentry 8.22.0 or newer) and found"
                  + " none on the class path. Add io.sentry:sentry");
    }
  }

  @Test
  void theSdkOnThisClassPathIsEnough() {
    assertThat(Requirements.sentryProblem(getClass().getClassLoader())).isNull();
  }

  @Test
  void versionsAreComparedByNumberNotByText() {
    assertThat(Requirements.isOlder("8.21.0", "8.22.0")).isTrue();
    assertThat(Requirements.isOlder("8.9.1", "8.22.0")).isTrue();
    assertThat(Requirements.isOlder("7.99.0", "8.22.0")).isTrue();
    assertThat(Requirements.isOlder("8.22.0", "8.22.0")).isFalse();
    assertThat(Requirements.isOlder("8.22.0-beta.1", "8.22.0")).isFalse();
    assertThat(Requirements.isOlder("8.100.0", "8.22.0")).isFalse();
    assertThat(Requirements.isOlder("9.0.0", "8.22.0")).isFalse();
    assertThat(Requirements.isOlder("8.22", "8.22.0")).isFalse();
    assertThat(Requirements.isOlder("unknown", "8.22.0")).isFalse();
  }

  /** This module's classes, grpc-api and what it needs: everything but io.sentry. */
  private static URLClassLoader classPathWithoutTheSdk() {
    Set<URL> urls = new LinkedHashSet<>();
    urls.add(locationOf(Requirements.class));
    urls.add(locationOf(ServerInterceptor.class));
    urls.add(locationOf(Context.class));
    urls.add(locationOf(Preconditions.class));
    // The bootstrap loader as parent: nothing from the test class path leaks in.
    return new URLClassLoader(urls.toArray(new URL[0]), null);
  }

  private static URL locationOf(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}

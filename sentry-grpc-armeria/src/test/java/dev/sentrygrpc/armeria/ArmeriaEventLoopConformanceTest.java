package dev.sentrygrpc.armeria;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Armeria cases with the services on Armeria's event loop, its default. */
class ArmeriaEventLoopConformanceTest extends ArmeriaConformanceTest {
  private static ArmeriaApplication application;

  @BeforeAll
  static void startApplication() throws Exception {
    application = ArmeriaApplication.start(false);
  }

  @AfterAll
  static void stopApplication() {
    application.close();
  }

  @Override
  protected ArmeriaApplication application() {
    return application;
  }

  @Test
  void theServicesRunOnTheEventLoop() {
    assertThat(serviceThreadOfACall().getName()).startsWith("armeria-common-worker");
  }
}

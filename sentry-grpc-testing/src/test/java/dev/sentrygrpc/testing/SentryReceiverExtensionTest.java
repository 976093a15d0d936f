package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.Sentry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as a user registers it: one receiver for the class, emptied before each test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentryReceiverExtensionTest {

  @RegisterExtension static final SentryReceiverExtension sentry = new SentryReceiverExtension();

  private static int firstPort;

  @BeforeEach
  void initSentry() {
    TestSentry.init(sentry.receiver());
  }

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  @Test
  @Order(1)
  void sendsToTheReceiver(SentryReceiver receiver) {
    assertThat(receiver).isSameAs(sentry.receiver());
    firstPort = receiver.port();
    Sentry.captureMessage("from the first test");
    TestSentry.flush();
    assertThat(receiver.awaitEvents(1, Duration.ofSeconds(10))).hasSize(1);
    receiver.faults().serverError(); // left behind on purpose
  }

  @Test
  @Order(2)
  void startsEachTestEmptyAndHealthyOnTheSameReceiver(SentryReceiver receiver) {
    assertThat(receiver.port()).isEqualTo(firstPort);
    assertThat(receiver.envelopes()).isEmpty();
    assertThat(receiver.receivedRequests()).isZero();
    assertThat(receiver.faults().isHealthy()).isTrue();
  }

  @Nested
  class InANestedClass {

    @Test
    void theSameReceiverServes(SentryReceiver receiver) {
      assertThat(receiver).isSameAs(sentry.receiver());
      Sentry.captureMessage("from a nested test");
      TestSentry.flush();
      assertThat(receiver.awaitEvents(1, Duration.ofSeconds(10))).hasSize(1);
    }
  }

  /** On an instance field, each test gets a receiver of its own, closed after it. */
  @Nested
  class RegisteredOnAnInstanceField {

    @RegisterExtension final SentryReceiverExtension own = new SentryReceiverExtension();

    @Test
    void aReceiverOfItsOwn() {
      // With two registrations, a SentryReceiver parameter would be ambiguous: use the fields.
      assertThat(own.receiver()).isNotSameAs(sentry.receiver());
      assertThat(own.receiver().port()).isNotEqualTo(sentry.receiver().port());
      assertThat(own.receiver().envelopes()).isEmpty();
    }
  }
}

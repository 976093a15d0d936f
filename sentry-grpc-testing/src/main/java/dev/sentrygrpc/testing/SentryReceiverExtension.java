package dev.sentrygrpc.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link SentryReceiver} for a JUnit 5 test class: started before the first test, emptied
 * and made healthy before each test, closed after the last one.
 *
 * <pre>{@code
 * class CheckoutTest {
 *   @RegisterExtension
 *   static final SentryReceiverExtension sentry = new SentryReceiverExtension();
 *
 *   @BeforeEach
 *   void initSentry() {
 *     Sentry.init(options -> options.setDsn(sentry.receiver().dsn()));
 *   }
 *
 *   @AfterEach
 *   void closeSentry() {
 *     Sentry.close();
 *   }
 *
 *   @Test
 *   void reportsTheFailure(SentryReceiver receiver) { // or sentry.receiver()
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Registered on a static field, one receiver serves the whole class (and its {@code @Nested}
 * classes); on an instance field, each test gets its own. Test methods, constructors and
 * lifecycle methods can also take a {@link SentryReceiver} parameter (unless two extensions are
 * registered for the same test, which makes the parameter ambiguous: use the fields then).
 */
public final class SentryReceiverExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  private SentryReceiver receiver;
  /** How many test classes (an outer class and its nested ones) are using the receiver. */
  private int classesUsing;

  /** The receiver, started on first use (so a static initializer can read its DSN too). */
  public synchronized SentryReceiver receiver() {
    if (receiver == null) {
      receiver = SentryReceiver.start();
    }
    return receiver;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    receiver();
    classesUsing++;
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    classesUsing--;
    if (classesUsing == 0) {
      closeReceiver();
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    SentryReceiver current = receiver();
    current.faults().healthy();
    current.clear();
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    // Registered on an instance field, there is no afterAll to close the receiver.
    if (classesUsing == 0) {
      closeReceiver();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SentryReceiver.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return receiver();
  }

  private void closeReceiver() {
    if (receiver != null) {
      receiver.close();
      receiver = null;
    }
  }
}

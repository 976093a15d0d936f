package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testing.SentryReceiver;
import dev.sentrygrpc.testing.SentryReceiverExtension;
import dev.sentrygrpc.testing.TraceTree;
import io.sentry.ISentryLifecycleToken;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryEvent;
import io.sentry.SpanStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's example, verbatim: it must keep compiling and passing. */
class ReadmeExampleTest {

  // One receiver for the class; emptied and made healthy before each test.
  @RegisterExtension
  static final SentryReceiverExtension sentry = new SentryReceiverExtension();

  @BeforeEach
  void initSentry() {
    Sentry.init(options -> {
      options.setDsn(sentry.receiver().dsn());
      options.setTracesSampleRate(1.0);
    });
  }

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  @Test
  void reportsTheFailedPaymentInsideTheCheckoutTrace(SentryReceiver receiver) {
    ITransaction checkout = Sentry.startTransaction("checkout", "task");
    try (ISentryLifecycleToken ignored = checkout.makeCurrent()) {
      ISpan payment = checkout.startChild("payment", "charge card");
      Sentry.captureException(new IllegalStateException("card declined"));
      payment.finish(SpanStatus.INTERNAL_ERROR);
    }
    checkout.finish();
    Sentry.flush(5000);

    SentryEvent error = receiver.awaitEvents(1, Duration.ofSeconds(5)).get(0);
    assertThat(error.getExceptions().get(0).getValue()).isEqualTo("card declined");

    TraceTree trace = receiver.trace(checkout.getSpanContext().getTraceId());
    assertThat(trace.parentOf(trace.byOp("payment"))).contains(trace.byOp("task"));
    assertThat(trace.byOp("payment").status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(trace.errorsOf(trace.byOp("payment"))).containsExactly(error);
  }
}

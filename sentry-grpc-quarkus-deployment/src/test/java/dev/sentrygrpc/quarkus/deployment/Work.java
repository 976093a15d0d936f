package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.conformance.OrdersService;
import io.sentry.Breadcrumb;
import io.sentry.ISpan;
import io.sentry.Sentry;

/**
 * What the test services do where Quarkus runs them, through the SDK's static API as
 * application code does: it lands on the call's transaction only if the call's scopes are
 * current there.
 */
final class Work {
  static final String OPERATION = "quarkus.work";

  private Work() {}

  static void inTheCall(String tag) {
    Sentry.setTag(OrdersService.TAG, tag);
    Breadcrumb breadcrumb = new Breadcrumb("working on " + tag);
    breadcrumb.setCategory("quarkus");
    Sentry.addBreadcrumb(breadcrumb);
    ISpan parent = Sentry.getSpan();
    if (parent != null) {
      parent.startChild(OPERATION, tag).finish();
    }
  }
}

package dev.sentrygrpc;

import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.NoOpScopesLifecycleToken;
import io.sentry.Sentry;

/** Makes a call's scopes current for one callback, unless they already are. */
final class CallScopes {
  private CallScopes() {}

  static ISentryLifecycleToken enter(IScopes scopes) {
    if (Sentry.getCurrentScopes() == scopes) {
      // Already current (e.g. sendMessage from inside onHalfClose, or a blocking client's
      // onMessage on the caller's thread): makeCurrent would set and restore the same value.
      return NoOpScopesLifecycleToken.getInstance();
    }
    return scopes.makeCurrent();
  }
}

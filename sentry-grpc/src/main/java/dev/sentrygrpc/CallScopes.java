package dev.sentrygrpc;

import io.sentry.IScopes;
import io.sentry.ISentryLifecycleToken;
import io.sentry.NoOpScopesLifecycleToken;
import io.sentry.ScopesAdapter;
import io.sentry.Sentry;

/** Which scopes a call starts from, and making them current for one callback. */
final class CallScopes {
  private CallScopes() {}

  /**
   * The scopes given in the options, else the SDK's. Kept out of the public interceptor classes:
   * verifying a method that mixes {@code ScopesAdapter} with {@code IScopes} loads the SDK, which
   * would turn {@link Requirements}' message into a {@code NoClassDefFoundError} when the SDK is
   * missing.
   */
  static IScopes root(IScopes explicit) {
    return explicit != null ? explicit : ScopesAdapter.getInstance();
  }

  static ISentryLifecycleToken enter(IScopes scopes) {
    if (Sentry.getCurrentScopes() == scopes) {
      // Already current (e.g. sendMessage from inside onHalfClose, or a blocking client's
      // onMessage on the caller's thread): makeCurrent would set and restore the same value.
      return NoOpScopesLifecycleToken.getInstance();
    }
    return scopes.makeCurrent();
  }
}

package dev.sentrygrpc;

import io.sentry.IScopes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

/** Real scopes that also note every flush timeout asked for. */
final class FlushRecordingScopes {
  private final IScopes delegate;
  private final List<Long> flushes;

  FlushRecordingScopes(IScopes delegate, List<Long> flushes) {
    this.delegate = delegate;
    this.flushes = flushes;
  }

  IScopes proxy() {
    return (IScopes)
        Proxy.newProxyInstance(
            IScopes.class.getClassLoader(),
            new Class<?>[] {IScopes.class},
            (proxy, method, args) -> {
              if (method.getName().equals("flush") && args != null && args.length == 1) {
                flushes.add((Long) args[0]);
              }
              try {
                Object result = method.invoke(delegate, args);
                // Forked scopes must record too: the server flushes through the call's own.
                if (result instanceof IScopes && method.getName().startsWith("forked")) {
                  return new FlushRecordingScopes((IScopes) result, flushes).proxy();
                }
                return result;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}

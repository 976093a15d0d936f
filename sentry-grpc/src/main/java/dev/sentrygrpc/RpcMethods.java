package dev.sentrygrpc;

import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Looks up the {@link RpcMethod} of a descriptor. grpc-java hands out one descriptor instance per
 * method, so an identity-keyed map turns the per-call work into one hash lookup; the map stops
 * growing at {@link #MAX_CACHED} entries so services that make descriptors on the fly (proxies)
 * cannot grow it without bound.
 */
final class RpcMethods {
  static final int MAX_CACHED = 2048;

  private final MethodGlobs ignored;
  private final ConcurrentMap<MethodDescriptor<?, ?>, RpcMethod> cache = new ConcurrentHashMap<>();

  RpcMethods(List<String> ignoredGlobs) {
    this.ignored = new MethodGlobs(ignoredGlobs);
  }

  RpcMethod of(MethodDescriptor<?, ?> descriptor) {
    RpcMethod method = cache.get(descriptor);
    if (method != null) {
      return method;
    }
    boolean ignoredMethod = ignored.matches(descriptor.getFullMethodName());
    if (cache.size() >= MAX_CACHED) {
      return new RpcMethod(descriptor, ignoredMethod, false);
    }
    method = new RpcMethod(descriptor, ignoredMethod, true);
    // The first one cached wins, so every call of a method shares what hangs off it.
    RpcMethod raced = cache.putIfAbsent(descriptor, method);
    return raced != null ? raced : method;
  }
}

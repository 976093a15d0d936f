package dev.sentrygrpc;

import io.grpc.MethodDescriptor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the interceptors need to know of one gRPC method, worked out once per method rather than
 * on every call: the names Sentry shows and whether the method is ignored.
 */
final class RpcMethod {
  /** {@code shop.OrderService/PlaceOrder}: transaction name, span description, {@code rpc.method}. */
  final String fullName;
  /** {@code /shop.OrderService/PlaceOrder}: the seed interceptors' {@code grpc.method}. */
  final String path;
  /** {@code shop.OrderService}, or the full name when it has no service part. */
  final String service;
  /** {@code UNARY}, {@code SERVER_STREAMING}, ... */
  final String type;

  /** The {@code grpc} scope context of a call before anything call-specific is added. */
  final Map<String, Object> scopeContext;

  final MethodDescriptor<?, ?> descriptor;
  final boolean streaming;
  final boolean ignored;
  /**
   * False for the methods past {@link RpcMethods#MAX_CACHED}: made anew for every call, so
   * nothing per method can be kept on them.
   */
  final boolean cached;

  /** This method's call statistics, made at its first call with metrics on (see CallMetrics). */
  volatile MethodStats stats;

  RpcMethod(MethodDescriptor<?, ?> descriptor, boolean ignored, boolean cached) {
    this.descriptor = descriptor;
    this.cached = cached;
    this.fullName = descriptor.getFullMethodName();
    this.path = "/" + fullName;
    String serviceName = descriptor.getServiceName();
    this.service = serviceName != null ? serviceName : fullName;
    this.type = descriptor.getType().name();
    this.streaming = descriptor.getType() != MethodDescriptor.MethodType.UNARY;
    this.ignored = ignored;
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("method", fullName);
    context.put("method_type", type);
    this.scopeContext = Collections.unmodifiableMap(context);
  }
}

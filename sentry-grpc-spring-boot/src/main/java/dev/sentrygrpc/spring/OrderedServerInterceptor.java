package dev.sentrygrpc.spring;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.springframework.core.Ordered;

/**
 * A server interceptor with a place in the gRPC framework's chain of global interceptors.
 *
 * <p>Spring gRPC and net.devh grpc-spring both sort their global interceptors by Spring order, and
 * {@code @Order} only takes a constant: carrying the order on the bean itself is what lets {@code
 * sentry.grpc.server.order} move it. It is read by the bean factory's ordered lookups, by Spring
 * gRPC's re-sort of per-service interceptors blended with the global ones, and by net.devh's
 * comparator, which prefers an {@code @Order} on the bean's class or factory method: so the bean
 * methods that return one carry no {@code @Order}.
 */
public final class OrderedServerInterceptor implements ServerInterceptor, Ordered {
  private final ServerInterceptor delegate;
  private final int order;

  public OrderedServerInterceptor(ServerInterceptor delegate, int order) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    this.delegate = delegate;
    this.order = order;
  }

  /** The interceptor that does the work. */
  public ServerInterceptor getDelegate() {
    return delegate;
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return delegate.interceptCall(call, headers, next);
  }

  @Override
  public String toString() {
    return "OrderedServerInterceptor{" + delegate + ", order=" + order + "}";
  }
}

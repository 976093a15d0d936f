package dev.sentrygrpc.spring;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import org.springframework.core.Ordered;

/**
 * A client interceptor with a place in the gRPC framework's chain of global interceptors: the
 * order is carried on the bean so that {@code sentry.grpc.client.order} can move it (see {@link
 * OrderedServerInterceptor}).
 */
public final class OrderedClientInterceptor implements ClientInterceptor, Ordered {
  private final ClientInterceptor delegate;
  private final int order;

  public OrderedClientInterceptor(ClientInterceptor delegate, int order) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    this.delegate = delegate;
    this.order = order;
  }

  /** The interceptor that does the work. */
  public ClientInterceptor getDelegate() {
    return delegate;
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return delegate.interceptCall(method, callOptions, next);
  }

  @Override
  public String toString() {
    return "OrderedClientInterceptor{" + delegate + ", order=" + order + "}";
  }
}

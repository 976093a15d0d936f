package dev.sentrygrpc.benchmarks;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The {@code forwarding} mode: interceptors that wrap the call and the listener on both sides and
 * do nothing else. Any interceptor that follows the call's life (Sentry's, OpenTelemetry's) pays at
 * least this.
 */
final class ForwardingInterceptors {
  private ForwardingInterceptors() {}

  static final ServerInterceptor SERVER =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          ServerCall<ReqT, RespT> wrapped =
              new ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT>(call) {};
          return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
              next.startCall(wrapped, headers)) {};
        }
      };

  static final ClientInterceptor CLIENT =
      new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(
              next.newCall(method, callOptions)) {
            @Override
            public void start(Listener<RespT> responseListener, Metadata headers) {
              super.start(
                  new ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT>(
                      responseListener) {},
                  headers);
            }
          };
        }
      };
}

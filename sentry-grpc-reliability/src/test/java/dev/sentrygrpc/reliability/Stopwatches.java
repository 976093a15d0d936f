package dev.sentrygrpc.reliability;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The true duration of every call, timed at the same points of the call as the Sentry
 * interceptors time it, by interceptors next to them: on the server outside Sentry's (its clock
 * starts just before, and stops just before Sentry's listener is told the call completed), on the
 * client inside it (its clock starts just after Sentry's start, and stops just before Sentry
 * hears the call closed). So the durations differ from Sentry's by microseconds, and what a test
 * compares is what the metrics made of them.
 */
final class Stopwatches {
  final List<Double> serverSeconds = Collections.synchronizedList(new ArrayList<>());
  final List<Double> clientSeconds = Collections.synchronizedList(new ArrayList<>());

  final ServerInterceptor server =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          long start = System.nanoTime();
          return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(
              next.startCall(call, headers)) {
            @Override
            public void onComplete() {
              serverSeconds.add((System.nanoTime() - start) / 1e9);
              super.onComplete();
            }
          };
        }
      };

  final ClientInterceptor client =
      new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(
              next.newCall(method, callOptions)) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
              long start = System.nanoTime();
              super.start(
                  new ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                      clientSeconds.add((System.nanoTime() - start) / 1e9);
                      super.onClose(status, trailers);
                    }
                  },
                  headers);
            }
          };
        }
      };
}

package dev.sentrygrpc.reliability;

import dev.sentrygrpc.SentryClientInterceptor;
import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.SentryServerInterceptor;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import dev.sentrygrpc.testservice.Pools;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PlannedService} behind the Sentry server interceptor, on the in-process transport or
 * on Netty over loopback, and a channel to it with the Sentry client interceptor: both sides
 * instrumented with the same options.
 */
final class TelemetryRig implements AutoCloseable {
  static final String SERVICE = "sentrygrpc.test.EchoService/";

  enum Transport {
    IN_PROCESS,
    NETTY
  }

  enum Kind {
    UNARY("Unary"),
    SERVER_STREAMING("ServerStream"),
    CLIENT_STREAMING("ClientStream"),
    BIDI("Bidi");

    final String method;

    Kind(String method) {
      this.method = SERVICE + method;
    }
  }

  private static final ServerInterceptor NOTHING =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          return next.startCall(call, headers);
        }
      };
  private static final ClientInterceptor NOTHING_CLIENT =
      new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
            MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
          return next.newCall(method, callOptions);
        }
      };

  private final Server server;
  private final ManagedChannel channel;
  private final ExecutorService serverPool = Executors.newFixedThreadPool(4);

  TelemetryRig(Transport transport, SentryGrpcOptions options) {
    this(transport, options, null);
  }

  /** With stopwatches next to the Sentry interceptors, when given. */
  TelemetryRig(Transport transport, SentryGrpcOptions options, Stopwatches stopwatches) {
    ServerInterceptor outerServer = stopwatches != null ? stopwatches.server : NOTHING;
    ClientInterceptor innerClient = stopwatches != null ? stopwatches.client : NOTHING_CLIENT;
    try {
      if (transport == Transport.IN_PROCESS) {
        String name = "telemetry-" + UUID.randomUUID();
        server =
            InProcessServerBuilder.forName(name)
                .executor(serverPool)
                .addService(
                    ServerInterceptors.intercept(
                        new PlannedService(), new SentryServerInterceptor(options), outerServer))
                .build()
                .start();
        channel =
            InProcessChannelBuilder.forName(name)
                .intercept(innerClient)
                .intercept(new SentryClientInterceptor(options))
                .build();
      } else {
        server =
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .executor(serverPool)
                .addService(
                    ServerInterceptors.intercept(
                        new PlannedService(), new SentryServerInterceptor(options), outerServer))
                .build()
                .start();
        channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .intercept(innerClient)
                .intercept(new SentryClientInterceptor(options))
                .build();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One call of the kind, planned to end with {@code code} after {@code micros} (unary and server
   * streams only).
   */
  Status.Code call(Kind kind, Status.Code code, int micros) {
    EchoRequest request = EchoRequest.newBuilder().setMessage(code.name()).setCount(micros).build();
    EchoServiceGrpc.EchoServiceBlockingStub blocking =
        EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    EchoServiceGrpc.EchoServiceStub async =
        EchoServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    try {
      switch (kind) {
        case UNARY:
          blocking.unary(request);
          return Status.Code.OK;
        case SERVER_STREAMING:
          Iterator<EchoReply> replies = blocking.serverStream(request);
          while (replies.hasNext()) {
            replies.next();
          }
          return Status.Code.OK;
        case CLIENT_STREAMING:
          return stream(async::clientStream, request);
        case BIDI:
          return stream(async::bidi, request);
        default:
          throw new AssertionError(kind);
      }
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private interface Opener {
    StreamObserver<EchoRequest> open(StreamObserver<EchoReply> responses);
  }

  private static Status.Code stream(Opener opener, EchoRequest request) {
    CompletableFuture<Status.Code> end = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests =
        opener.open(
            new StreamObserver<EchoReply>() {
              @Override
              public void onNext(EchoReply reply) {}

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t).getCode());
              }

              @Override
              public void onCompleted() {
                end.complete(Status.Code.OK);
              }
            });
    for (int i = 0; i < PlannedService.STREAM_REPLIES; i++) {
      requests.onNext(request);
    }
    requests.onCompleted();
    try {
      return end.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stream did not end", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
    // Callers count what the server sent right after close(): its last callbacks must run.
    Pools.drain(serverPool);
  }
}

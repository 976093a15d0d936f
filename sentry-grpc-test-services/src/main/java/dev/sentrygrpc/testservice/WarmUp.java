package dev.sentrygrpc.testservice;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/**
 * One call to a method no server serves: no interceptor sees it and no transaction comes of it,
 * but it opens the channel's connection and loads the transport's classes. Deadline cases make it
 * first, so they measure the call and not a first connection: a first call's set-up can start the
 * server's copy of the deadline more than the cancel's own delay after the client's, and a cancel
 * that arrives that early reads as a cancel, not as the deadline.
 */
public final class WarmUp {
  private static final MethodDescriptor<EchoRequest, EchoReply> UNSERVED =
      EchoServiceGrpc.getUnaryMethod().toBuilder()
          .setFullMethodName("sentrygrpc.test.EchoService/WarmUp")
          .build();

  private WarmUp() {}

  public static void connect(Channel channel) {
    try {
      ClientCalls.blockingUnaryCall(
          channel, UNSERVED, CallOptions.DEFAULT, EchoRequest.getDefaultInstance());
    } catch (StatusRuntimeException unimplemented) {
      // UNIMPLEMENTED, as intended.
    }
  }
}

package dev.sentrygrpc.consumer;

import dev.sentrygrpc.consumer.greeter.GreetReply;
import dev.sentrygrpc.consumer.greeter.GreetRequest;
import dev.sentrygrpc.consumer.greeter.MutinyGreeterGrpc;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** The application's service, on the Mutiny stubs Quarkus generated from greeter.proto. */
@GrpcService
public class GreeterService extends MutinyGreeterGrpc.GreeterImplBase {

  @Override
  public Uni<GreetReply> greet(GreetRequest request) {
    if ("boom".equals(request.getName())) {
      return Uni.createFrom().failure(new IllegalStateException("no greeting for boom"));
    }
    return Uni.createFrom()
        .item(GreetReply.newBuilder().setMessage("hello " + request.getName()).build());
  }
}

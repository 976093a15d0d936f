package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.conformance.StorefrontService;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/** The kit's Storefront service, calling Orders through a Quarkus {@code @GrpcClient} channel. */
@GrpcService
public class QuarkusStorefront extends StorefrontService {

  @Inject
  public QuarkusStorefront(@GrpcClient("orders") Channel orders) {
    super(() -> OrdersGrpc.newStub(orders));
  }
}

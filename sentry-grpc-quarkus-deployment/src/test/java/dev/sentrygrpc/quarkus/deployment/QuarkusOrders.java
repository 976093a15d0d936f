package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.conformance.OrdersService;
import io.quarkus.grpc.GrpcService;

/** The kit's Orders service, found by Quarkus as a user's service is. */
@GrpcService
public class QuarkusOrders extends OrdersService {}

package dev.sentrygrpc.consumer;

/** grpc-java 1.60.0 and Sentry 8.22.0, the oldest releases sentry-grpc supports. */
class FloorGrpcAndSentryTest extends PlainGrpcConsumerChecks {}

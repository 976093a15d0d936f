package dev.sentrygrpc.consumer;

/** grpc-java and the Sentry SDK at the newest releases, sentry-grpc from its BOM. */
class NewestGrpcAndSentryTest extends PlainGrpcConsumerChecks {}

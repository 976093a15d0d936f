package dev.sentrygrpc.consumer;

/** The Sentry SDK only through sentry-logback, declared after sentry-grpc. */
class SentryFromLogbackTest extends PlainGrpcConsumerChecks {}

'use strict';
// Sentry.init shared by the client and the server. Everything comes from the environment, which
// the Java tests set: SENTRY_DSN (the test's local receiver), SENTRY_ENVIRONMENT, SENTRY_RELEASE,
// SENTRY_TRACE_LIFECYCLE ('stream', the default of @sentry/node 11: spans go out as `span`
// envelope items; 'static': the classic `transaction` items), SENTRY_TRACES_SAMPLE_RATE (default
// 1.0; an incoming sampling decision wins over it) and SENTRY_DEBUG=1 for the SDK's own logging.
const Sentry = require('@sentry/node');

function initSentry(defaultEnvironment) {
  const dsn = process.env.SENTRY_DSN;
  if (!dsn) {
    throw new Error('SENTRY_DSN is not set');
  }
  const options = {
    dsn,
    tracesSampleRate: process.env.SENTRY_TRACES_SAMPLE_RATE ? Number(process.env.SENTRY_TRACES_SAMPLE_RATE) : 1.0,
    environment: process.env.SENTRY_ENVIRONMENT || defaultEnvironment,
    release: process.env.SENTRY_RELEASE || 'sentry-grpc-interop-node@0.0.0',
    debug: process.env.SENTRY_DEBUG === '1',
  };
  if (process.env.SENTRY_TRACE_LIFECYCLE) {
    options.traceLifecycle = process.env.SENTRY_TRACE_LIFECYCLE;
  }
  Sentry.init(options);
  return Sentry;
}

module.exports = { initSentry };

'use strict';
// The hand-written Sentry instrumentation a Node.js gRPC service uses: @sentry/node does not
// instrument @grpc/grpc-js. This is the interceptor the README documents; sentry-grpc's Java
// interceptors must interoperate with exactly this.
const grpc = require('@grpc/grpc-js');
const Sentry = require('@sentry/node');

// gRPC code -> Sentry span status, one to one by name, as sentry-grpc does on the JVM.
const SPAN_STATUS = {
  [grpc.status.CANCELLED]: 'cancelled',
  [grpc.status.UNKNOWN]: 'unknown_error',
  [grpc.status.INVALID_ARGUMENT]: 'invalid_argument',
  [grpc.status.DEADLINE_EXCEEDED]: 'deadline_exceeded',
  [grpc.status.NOT_FOUND]: 'not_found',
  [grpc.status.ALREADY_EXISTS]: 'already_exists',
  [grpc.status.PERMISSION_DENIED]: 'permission_denied',
  [grpc.status.RESOURCE_EXHAUSTED]: 'resource_exhausted',
  [grpc.status.FAILED_PRECONDITION]: 'failed_precondition',
  [grpc.status.ABORTED]: 'aborted',
  [grpc.status.OUT_OF_RANGE]: 'out_of_range',
  [grpc.status.UNIMPLEMENTED]: 'unimplemented',
  [grpc.status.INTERNAL]: 'internal_error',
  [grpc.status.UNAVAILABLE]: 'unavailable',
  [grpc.status.DATA_LOSS]: 'data_loss',
  [grpc.status.UNAUTHENTICATED]: 'unauthenticated',
};

function setGrpcStatus(span, code, details) {
  span.setAttribute('grpc.statuscode', code);
  if (code === grpc.status.OK) {
    span.setStatus({ code: 1 }); // ok
  } else {
    if (details) {
      span.setAttribute('grpc.status_description', details);
    }
    span.setStatus({ code: 2, message: SPAN_STATUS[code] || 'unknown_error' }); // error
  }
}

/**
 * Server interceptor (grpc-js >= 1.10): continues the caller's trace from the `sentry-trace` and
 * `baggage` metadata and gives every call a `grpc.server` transaction that ends with the status.
 * Handlers run with that span active, so their errors and child spans join the trace.
 *
 *   new grpc.Server({ interceptors: [sentryServerInterceptor] })
 */
function sentryServerInterceptor(methodDescriptor, call) {
  const method = methodDescriptor.path; // "/sentrygrpc.test.EchoService/Unary"
  const service = method.split('/')[1];
  let span;
  let end = () => {};
  let ended = false;
  const inSpan = (fn) => (span ? Sentry.withActiveSpan(span, fn) : fn());
  // Once: grpc-js also reports a cancel after it has sent a non-OK status.
  const finish = (code, details) => {
    if (!ended) {
      ended = true;
      if (span) {
        setGrpcStatus(span, code, details);
      }
      end();
    }
  };

  return new grpc.ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          const sentryTrace = metadata.get('sentry-trace')[0];
          const baggage = metadata.get('baggage').join(',');
          Sentry.continueTrace({ sentryTrace, baggage: baggage || undefined }, () =>
            Sentry.startSpan(
              {
                name: method.slice(1),
                op: 'grpc.server',
                forceTransaction: true,
                attributes: {
                  'sentry.origin': 'manual.grpc.node',
                  'rpc.system': 'grpc',
                  'grpc.method': method,
                  'grpc.service': service,
                },
              },
              (s) => {
                span = s;
                // The span ends when this promise settles: when the status is sent, or on cancel.
                return new Promise((resolve) => {
                  end = resolve;
                });
              },
            ),
          );
          inSpan(() => nextMetadata(metadata));
        },
        onReceiveMessage(message, nextMessage) {
          inSpan(() => nextMessage(message));
        },
        onReceiveHalfClose(nextHalfClose) {
          inSpan(() => nextHalfClose());
        },
        onCancel() {
          finish(grpc.status.CANCELLED, 'cancelled by the client');
        },
      });
    },
    sendStatus(status, nextStatus) {
      finish(status.code, status.details);
      nextStatus(status);
    },
  });
}

/** Outgoing metadata that carries the active trace: `sentry-trace` and `baggage`. */
function traceMetadata(metadata = new grpc.Metadata()) {
  for (const [key, value] of Object.entries(Sentry.getTraceData())) {
    metadata.set(key, value);
  }
  return metadata;
}

module.exports = { sentryServerInterceptor, traceMetadata, setGrpcStatus };

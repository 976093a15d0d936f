'use strict';
// A Node.js EchoService with the manual Sentry interceptor, for the Java client tests.
//   SENTRY_DSN=... PORT=0 node server.js   -> prints "LISTENING <port>" once it accepts calls.
// It stops (after flushing Sentry) when its standard input closes, or on SIGTERM/SIGINT, so a
// parent process that dies never leaves it running.
const { initSentry } = require('./sentry-setup');

const Sentry = initSentry('node-interop-server');

const grpc = require('@grpc/grpc-js');
const { loadEchoService } = require('./echo-service');
const { sentryServerInterceptor } = require('./grpc-sentry');

const EchoService = loadEchoService();

// "fail" makes a handler report an error to Sentry and answer INTERNAL.
function failure(request) {
  if (request.message !== 'fail') {
    return null;
  }
  const error = new Error('node handler failed on purpose');
  Sentry.captureException(error);
  return { code: grpc.status.INTERNAL, details: error.message };
}

const handlers = {
  Unary(call, callback) {
    const failed = failure(call.request);
    if (failed) {
      callback(failed);
      return;
    }
    Sentry.startSpan({ name: 'echo', op: 'function' }, () => {
      callback(null, { message: `node:${call.request.message}`, index: 0 });
    });
  },
  ServerStream(call) {
    const failed = failure(call.request);
    if (failed) {
      call.emit('error', failed);
      return;
    }
    const count = Math.max(1, call.request.count || 1);
    for (let i = 0; i < count; i++) {
      call.write({ message: `node:${call.request.message}`, index: i });
    }
    call.end();
  },
  ClientStream(call, callback) {
    const messages = [];
    call.on('data', (request) => messages.push(request.message));
    call.on('end', () => callback(null, { message: `node:${messages.join(',')}`, index: messages.length }));
  },
  Bidi(call) {
    let index = 0;
    call.on('data', (request) => call.write({ message: `node:${request.message}`, index: index++ }));
    call.on('end', () => call.end());
  },
};

const server = new grpc.Server({ interceptors: [sentryServerInterceptor] });
server.addService(EchoService.service, handlers);

let stopping = false;
async function stop(reason) {
  if (stopping) {
    return;
  }
  stopping = true;
  console.log(`STOPPING (${reason})`);
  server.forceShutdown();
  const flushed = await Sentry.flush(5000);
  console.log(`FLUSHED ${flushed}`);
  process.exit(flushed ? 0 : 3);
}

const host = process.env.HOST || '127.0.0.1';
server.bindAsync(`${host}:${process.env.PORT || 0}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`cannot listen: ${error.message}`);
    process.exit(2);
  }
  console.log(`LISTENING ${port}`);
});

process.stdin.on('end', () => stop('stdin closed'));
process.stdin.on('error', () => stop('stdin error'));
process.stdin.resume();
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

'use strict';
// A Node.js client of EchoService that propagates its trace by hand, for the Java server tests.
//   SENTRY_DSN=... TARGET=127.0.0.1:50051 node client.js
// Inside a root span "node-client" it calls Unary and ServerStream, each in a "grpc.client" span
// whose trace data goes into the call's metadata, then flushes Sentry and prints one line
// "RESULT {json}" with the ids the Java test checks against what the Java SDK sent.
const { initSentry } = require('./sentry-setup');

const Sentry = initSentry('node-interop-client');

const grpc = require('@grpc/grpc-js');
const { loadEchoService } = require('./echo-service');
const { traceMetadata, setGrpcStatus } = require('./grpc-sentry');

const EchoService = loadEchoService();
const SERVICE = 'sentrygrpc.test.EchoService';
const DEADLINE_MS = 10000;

function unary(client, request, metadata) {
  return new Promise((resolve, reject) => {
    client.Unary(request, metadata, { deadline: Date.now() + DEADLINE_MS }, (error, reply) =>
      error ? reject(error) : resolve(reply),
    );
  });
}

function serverStream(client, request, metadata) {
  return new Promise((resolve, reject) => {
    const replies = [];
    const call = client.ServerStream(request, metadata, { deadline: Date.now() + DEADLINE_MS });
    call.on('data', (reply) => replies.push(reply));
    call.on('error', reject);
    call.on('end', () => resolve(replies));
  });
}

/** One call in a grpc.client span whose trace data rides in the metadata. */
function traced(method, invoke) {
  return Sentry.startSpan(
    {
      name: `${SERVICE}/${method}`,
      op: 'grpc.client',
      attributes: { 'rpc.system': 'grpc', 'grpc.method': `/${SERVICE}/${method}`, 'grpc.service': SERVICE },
    },
    async (span) => {
      const metadata = traceMetadata();
      const sent = {
        spanId: span.spanContext().spanId,
        sentryTrace: metadata.get('sentry-trace')[0],
        baggage: metadata.get('baggage')[0],
      };
      try {
        sent.reply = await invoke(metadata);
        setGrpcStatus(span, grpc.status.OK);
      } catch (error) {
        setGrpcStatus(span, error.code ?? grpc.status.UNKNOWN, error.details);
        sent.error = { code: error.code, details: error.details };
      }
      return sent;
    },
  );
}

async function main() {
  const target = process.env.TARGET;
  if (!target) {
    throw new Error('TARGET (host:port of the Java server) is not set');
  }
  const client = new EchoService(target, grpc.credentials.createInsecure());
  const result = await Sentry.startSpan({ name: 'node-client', op: 'interop.client' }, async (root) => {
    const unaryCall = await traced('Unary', (metadata) =>
      unary(client, { message: 'from-node' }, metadata),
    );
    const streamCall = await traced('ServerStream', (metadata) =>
      serverStream(client, { message: 'from-node', count: 3 }, metadata),
    );
    return {
      traceId: root.spanContext().traceId,
      rootSpanId: root.spanContext().spanId,
      calls: { Unary: unaryCall, ServerStream: streamCall },
    };
  });
  client.close();
  const flushed = await Sentry.flush(5000);
  result.flushed = flushed;
  console.log(`RESULT ${JSON.stringify(result)}`);
  const failed = Object.values(result.calls).some((call) => call.error);
  process.exitCode = !flushed || failed ? 1 : 0;
}

main().catch(async (error) => {
  console.error(error && error.stack ? error.stack : error);
  await Sentry.flush(5000);
  process.exit(1);
});

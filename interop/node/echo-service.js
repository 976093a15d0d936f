'use strict';
// Loads sentrygrpc.test.EchoService from the repository's one echo.proto, the file the Java stubs
// are generated from, so both languages always speak the same service.
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_IN_REPO = path.join('sentry-grpc-test-services', 'src', 'main', 'proto', 'echo.proto');

/**
 * ECHO_PROTO when set (the Java tests set it); otherwise the repository's copy, found by walking
 * up from this folder, so it works from any working directory and from a moved checkout.
 */
function echoProtoPath() {
  const fromEnv = process.env.ECHO_PROTO;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) {
      throw new Error(`ECHO_PROTO=${fromEnv} does not exist`);
    }
    return path.resolve(fromEnv);
  }
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, PROTO_IN_REPO);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`echo.proto not found: no ${PROTO_IN_REPO} above ${__dirname}; set ECHO_PROTO`);
    }
  }
}

function loadEchoService() {
  const definition = protoLoader.loadSync(echoProtoPath(), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).sentrygrpc.test.EchoService;
}

module.exports = { echoProtoPath, loadEchoService };

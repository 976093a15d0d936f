package dev.sentrygrpc.quarkus.deployment;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarkus's Vert.x gRPC server on the HTTP port: grpc-java services bridged onto Vert.x, with no
 * authority, no io.grpc.Context deadline and onComplete inside close.
 */
class VertxServerTest extends QuarkusApplicationTest {

  @RegisterExtension
  static final QuarkusUnitTest APPLICATION =
      application(VertxServerTest.class, false);

  @Override
  String serverAddress() {
    return null;
  }
}

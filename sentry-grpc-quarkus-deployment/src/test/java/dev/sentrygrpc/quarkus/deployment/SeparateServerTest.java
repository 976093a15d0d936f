package dev.sentrygrpc.quarkus.deployment;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Quarkus's default gRPC server: grpc-java's own, on a port of its own. */
class SeparateServerTest extends QuarkusApplicationTest {

  @RegisterExtension
  static final QuarkusUnitTest APPLICATION =
      application(SeparateServerTest.class, true);

  @Override
  String serverAddress() {
    return "localhost";
  }
}

package dev.sentrygrpc.kotlin;

import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance cases through grpc-kotlin coroutine services on grpc-java's Netty server,
 * Storefront calling Orders with a grpc-kotlin client stub, set up with {@link
 * SentryGrpcKotlin#serverInterceptor()}.
 */
class CoroutineNettyConformanceTest extends FrameworkConformanceTest {
  private static CoroutineApplication application;

  @BeforeAll
  static void startApplication() {
    application = CoroutineApplication.netty();
  }

  @AfterAll
  static void stopApplication() {
    application.close();
  }

  @Override
  protected SentryReceiver receiver() {
    return application.receiver;
  }

  @Override
  protected Channel channel() {
    return application.channel;
  }

  @Override
  protected Channel healthChannel() {
    return application.channel;
  }
}

package dev.sentrygrpc.kotlin

import dev.sentrygrpc.SentryClientInterceptor
import dev.sentrygrpc.conformance.OrdersGrpcKt
import dev.sentrygrpc.testing.SentryReceiver
import io.grpc.ManagedChannel
import io.grpc.Server
import io.grpc.inprocess.InProcessChannelBuilder
import io.grpc.inprocess.InProcessServerBuilder
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
import io.grpc.protobuf.services.HealthStatusManager
import io.sentry.Sentry
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.util.UUID
import java.util.concurrent.TimeUnit

/**
 * The conformance application as a grpc-kotlin application on a plain grpc-java server, set up as
 * the README's grpc-kotlin section shows (the marked regions are that section's code;
 * `ReadmeKotlinSectionTest` checks the README shows nothing they do not run): coroutine Orders and
 * Storefront, Storefront calling Orders through a grpc-kotlin client stub.
 */
class CoroutineApplication private constructor(
  @JvmField val receiver: SentryReceiver,
  private val server: Server,
  @JvmField val channel: ManagedChannel,
) : AutoCloseable {

  /** A grpc-kotlin client stub on [channel]. */
  fun orders(): OrdersGrpcKt.OrdersCoroutineStub = OrdersGrpcKt.OrdersCoroutineStub(channel)

  override fun close() {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS)
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS)
    Sentry.close()
    receiver.close()
  }

  companion object {
    /** Over Netty on loopback. */
    @JvmStatic
    fun netty(): CoroutineApplication {
      val receiver = startSentry()
      val port = ServerSocket(0).use { it.localPort }
      // readme:kotlin-client:start
      val channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .intercept(SentryClientInterceptor())
        .build()
      val orders = OrdersGrpcKt.OrdersCoroutineStub(channel)
      // readme:kotlin-client:end
      // readme:kotlin-server:start
      val server = NettyServerBuilder.forAddress(InetSocketAddress("127.0.0.1", port))
        .addService(CoroutineOrders())                     // grpc-kotlin coroutine services
        .addService(CoroutineStorefront { orders })
        .addService(HealthStatusManager().healthService)
        .intercept(SentryGrpcKotlin.serverInterceptor())   // added last: runs first
        .build()
        .start()
      // readme:kotlin-server:end
      return CoroutineApplication(receiver, server, channel)
    }

    /** In process: the same services and interceptors, no network. */
    @JvmStatic
    fun inProcess(): CoroutineApplication {
      val receiver = startSentry()
      val name = "coroutine-" + UUID.randomUUID()
      val channel = InProcessChannelBuilder.forName(name).intercept(SentryClientInterceptor()).build()
      val orders = OrdersGrpcKt.OrdersCoroutineStub(channel)
      val server = InProcessServerBuilder.forName(name)
        .addService(CoroutineOrders())
        .addService(CoroutineStorefront { orders })
        .addService(HealthStatusManager().healthService)
        .intercept(SentryGrpcKotlin.serverInterceptor())
        .build()
        .start()
      return CoroutineApplication(receiver, server, channel)
    }

    private fun startSentry(): SentryReceiver {
      val receiver = SentryReceiver.start()
      Sentry.init { options ->
        options.dsn = receiver.dsn()
        options.tracesSampleRate = 1.0
      }
      return receiver
    }
  }
}

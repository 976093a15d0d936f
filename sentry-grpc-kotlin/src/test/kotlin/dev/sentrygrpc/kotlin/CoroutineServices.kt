package dev.sentrygrpc.kotlin

import dev.sentrygrpc.conformance.InvalidOrderException
import dev.sentrygrpc.conformance.OrderReply
import dev.sentrygrpc.conformance.OrderRequest
import dev.sentrygrpc.conformance.OrdersGrpcKt
import dev.sentrygrpc.conformance.OrdersService
import dev.sentrygrpc.conformance.StorefrontGrpcKt
import io.grpc.Status
import io.grpc.StatusException
import io.sentry.Breadcrumb
import io.sentry.Sentry
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.withContext

/** A thread of its own, so work surely resumes somewhere else than where it began. */
internal val elsewhere =
  Executors.newSingleThreadExecutor { task -> Thread(task, "coroutine-work").apply { isDaemon = true } }
    .asCoroutineDispatcher()

/**
 * The kit's Orders (see the Java `OrdersService` for what each outcome does) as a grpc-kotlin
 * coroutine service generated from the kit's proto. Every method suspends onto another thread
 * before it works with Sentry, as a service that awaits something does.
 */
class CoroutineOrders : OrdersGrpcKt.OrdersCoroutineImplBase() {
  override suspend fun place(request: OrderRequest): OrderReply {
    startedOn = Thread.currentThread()
    return withContext(elsewhere) {
      workedOn = Thread.currentThread()
      Sentry.setTag(OrdersService.TAG, request.tag)
      when (request.outcome) {
        "throw" -> throw IllegalStateException("order failed: " + request.item)
        "invalid" -> throw InvalidOrderException("invalid order: " + request.item)
        "not-found" ->
          throw StatusException(Status.NOT_FOUND.withDescription("no such item: " + request.item))
        "sleep" -> {
          OrdersService.started(request.tag).countDown()
          delay(request.sleepMs) // cancelled with the call
          reply("slept " + request.item)
        }
        else -> {
          Sentry.addBreadcrumb(Breadcrumb("placing " + request.item).apply { category = "conformance" })
          Sentry.getSpan()?.startChild("order.work", request.item)?.finish()
          reply("placed " + request.item)
        }
      }
    }
  }

  override fun track(request: OrderRequest): Flow<OrderReply> = flow {
    withContext(elsewhere) { Sentry.setTag(OrdersService.TAG, request.tag) }
    for (i in 1..request.count) {
      emit(reply("tracked " + request.item + " #" + i))
    }
  }

  companion object {
    /** The thread the last `place` started on, and the one its Sentry work ran on. */
    @Volatile @JvmStatic var startedOn: Thread? = null
    @Volatile @JvmStatic var workedOn: Thread? = null
  }
}

/**
 * The kit's Storefront as a coroutine service: `checkout` places the order with Orders through a
 * grpc-kotlin client stub, from another thread than the one it started on.
 */
class CoroutineStorefront(private val orders: () -> OrdersGrpcKt.OrdersCoroutineStub) :
  StorefrontGrpcKt.StorefrontCoroutineImplBase() {
  override suspend fun checkout(request: OrderRequest): OrderReply {
    Sentry.setTag(OrdersService.TAG, request.tag)
    return withContext(elsewhere) { orders().place(request) }
  }
}

internal fun reply(message: String): OrderReply = OrderReply.newBuilder().setMessage(message).build()

package dev.sentrygrpc.conformance

import io.grpc.BindableService
import io.grpc.ServerServiceDefinition
import io.grpc.kotlin.ServerCalls
import io.sentry.Sentry
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.withContext
import java.util.concurrent.Executors
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Orders/Place as a grpc-kotlin coroutine service, bound the way grpc-kotlin's generated code
 * binds it (`ServerCalls.unaryServerMethodDefinition`), for the coroutine cases of the framework
 * modules. grpc-kotlin runs the method on a dispatcher's thread, not the one the call started on;
 * the method then moves to yet another thread, as a suspending service does, and works with
 * Sentry from there: the tag, a child span `coroutine.work`, and for the outcome `throw` the
 * exception (grpc-kotlin closes the call with it as the status's cause).
 */
object CoroutineOrdersService {
  /** A thread of its own, so the work surely resumes somewhere else than where it began. */
  private val elsewhere =
    Executors.newSingleThreadExecutor { task ->
        Thread(task, "coroutine-work").apply { isDaemon = true }
      }
      .asCoroutineDispatcher()

  /** The thread the last call's method started on, and the one its Sentry work ran on. */
  @Volatile @JvmStatic var startedOn: Thread? = null
  @Volatile @JvmStatic var workedOn: Thread? = null

  @JvmStatic
  fun bindable(): BindableService = BindableService {
    ServerServiceDefinition.builder(OrdersGrpc.SERVICE_NAME)
      .addMethod(
        ServerCalls.unaryServerMethodDefinition(EmptyCoroutineContext, OrdersGrpc.getPlaceMethod()) {
          request: OrderRequest ->
          startedOn = Thread.currentThread()
          withContext(elsewhere) {
            workedOn = Thread.currentThread()
            Sentry.setTag(OrdersService.TAG, request.tag)
            Sentry.getSpan()?.startChild("coroutine.work", request.item)?.finish()
            if (request.outcome == "throw") {
              throw IllegalStateException("order failed: " + request.item)
            }
          }
          OrderReply.newBuilder().setMessage("placed " + request.item).build()
        })
      .build()
  }
}

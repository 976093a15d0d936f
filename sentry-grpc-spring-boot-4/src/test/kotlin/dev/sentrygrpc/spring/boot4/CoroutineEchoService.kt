package dev.sentrygrpc.spring.boot4

import dev.sentrygrpc.testservice.EchoReply
import dev.sentrygrpc.testservice.EchoRequest
import dev.sentrygrpc.testservice.EchoServiceGrpc
import io.grpc.BindableService
import io.grpc.ServerServiceDefinition
import io.grpc.kotlin.ServerCalls
import io.sentry.Sentry
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.withContext
import java.util.concurrent.Executors
import kotlin.coroutines.EmptyCoroutineContext

/**
 * The echo service's unary method as a grpc-kotlin coroutine service, bound the way grpc-kotlin's
 * generated code binds it (`ServerCalls.unaryServerMethodDefinition`). grpc-kotlin runs the method
 * on a coroutine dispatcher's thread, not the one the call started on; before it answers, the
 * method moves to yet another thread, the way a suspending service does, and works with Sentry
 * from there: a child span, a tag and a message event.
 */
object CoroutineEchoService {
  /** A thread of its own, so the work surely resumes somewhere else than where the method began. */
  private val elsewhere =
    Executors.newSingleThreadExecutor { task -> Thread(task, "coroutine-work").apply { isDaemon = true } }
      .asCoroutineDispatcher()

  /** The thread the service method started on, and the one its Sentry work ran on. */
  @Volatile @JvmStatic var startedOn: Thread? = null
  @Volatile @JvmStatic var workedOn: Thread? = null

  @JvmStatic
  fun bindable(): BindableService = BindableService {
    ServerServiceDefinition.builder(EchoServiceGrpc.SERVICE_NAME)
      .addMethod(
        ServerCalls.unaryServerMethodDefinition(EmptyCoroutineContext, EchoServiceGrpc.getUnaryMethod()) {
          request: EchoRequest ->
          startedOn = Thread.currentThread()
          withContext(elsewhere) {
            workedOn = Thread.currentThread()
            Sentry.getSpan()?.startChild("coroutine.work", "after a thread switch")?.finish()
            Sentry.setTag("set.in", "coroutine")
            Sentry.captureMessage("from a coroutine: " + request.message)
          }
          EchoReply.newBuilder().setMessage(request.message).build()
        })
      .build()
  }
}

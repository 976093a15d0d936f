package dev.sentrygrpc.consumer

import dev.sentrygrpc.consumer.greeter.GreetReply
import dev.sentrygrpc.consumer.greeter.GreetRequest
import dev.sentrygrpc.consumer.greeter.GreeterGrpcKt
import io.grpc.Channel
import io.sentry.Sentry
import io.sentry.kotlin.SentryContext
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext

/**
 * The application's coroutine service: it suspends onto another thread before it works with
 * Sentry, as a service that awaits something does.
 */
class Greeter : GreeterGrpcKt.GreeterCoroutineImplBase() {
  override suspend fun greet(request: GreetRequest): GreetReply =
    withContext(Dispatchers.IO) {
      Sentry.getSpan()?.startChild("greet.work", request.name)?.finish()
      if (request.name == "boom") {
        throw IllegalStateException("no greeting for boom")
      }
      GreetReply.newBuilder().setMessage("hello " + request.name).build()
    }
}

/** The application's client: a coroutine that carries the caller's Sentry scopes. */
object Greetings {
  @JvmStatic
  fun greetFromACoroutine(channel: Channel, name: String): String = runBlocking {
    withContext(SentryContext()) {
      withContext(Dispatchers.IO) {
        GreeterGrpcKt.GreeterCoroutineStub(channel)
          .greet(GreetRequest.newBuilder().setName(name).build())
          .message
      }
    }
  }
}

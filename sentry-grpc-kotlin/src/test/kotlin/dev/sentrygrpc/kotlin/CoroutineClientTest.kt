package dev.sentrygrpc.kotlin

import dev.sentrygrpc.conformance.OrderRequest
import dev.sentrygrpc.conformance.OrdersService
import io.grpc.Status
import io.grpc.StatusException
import io.sentry.ITransaction
import io.sentry.Sentry
import io.sentry.SpanStatus
import io.sentry.TransactionOptions
import io.sentry.kotlin.SentryContext
import io.sentry.protocol.SentrySpan
import io.sentry.protocol.SentryTransaction
import java.time.Duration
import java.util.UUID
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/**
 * grpc-kotlin client stubs called from coroutines: the call is a `grpc.client` span under the
 * caller's span, and carries the caller's trace to the server, when the coroutine has
 * `SentryContext`, whatever thread it runs on by then; unary, streaming, cancelled and past its
 * deadline. Against the coroutine services of [CoroutineApplication] over Netty.
 */
class CoroutineClientTest {

  @BeforeEach
  fun forgetEarlierCases() = application.receiver.clear()

  @Test
  fun callsFromACoroutineThatMovedThreadsAreSpansUnderTheCaller() {
    val tag = newTag()
    val request = order(tag).toBuilder().setCount(5).build()
    val orders = application.orders()
    var replies = 0
    val caller = inTransaction("caller $tag") {
      runBlocking {
        // readme:kotlin-coroutine:start
        withContext(SentryContext()) {             // the caller's scopes, on every thread it runs on
          withContext(Dispatchers.IO) {            // the test: a thread switch before the calls
            val reply = orders.place(request)      // a grpc.client span under the caller's span
            assertThat(reply.message).isEqualTo("placed $tag")
            val tracked = orders.track(request).toList()   // streaming calls too
            replies = tracked.size
          }
        }
        // readme:kotlin-coroutine:end
      }
    }

    assertThat(replies).isEqualTo(5)
    val sent = awaitTransaction("caller $tag")
    val placeSpan = clientSpan(sent, PLACE)
    val trackSpan = clientSpan(sent, TRACK)
    assertThat(placeSpan.parentSpanId).isEqualTo(sent.contexts.trace!!.spanId)
    assertThat(trackSpan.parentSpanId).isEqualTo(sent.contexts.trace!!.spanId)
    assertThat(trackSpan.data).containsEntry("grpc.messages.received", 5)
    assertThat(trackSpan.status).isEqualTo(SpanStatus.OK)
    for ((method, span) in listOf(PLACE to placeSpan, TRACK to trackSpan)) {
      val served = awaitServed(method, tag)
      assertThat(served.contexts.trace!!.traceId).isEqualTo(caller.spanContext.traceId)
      assertThat(served.contexts.trace!!.parentSpanId)
        .`as`("the server continued the trace from the call's own span: its headers were right")
        .isEqualTo(span.spanId)
    }
  }

  @Test
  fun withoutSentryContextACoroutineOnAnotherThreadLosesTheCaller() {
    val tag = newTag()
    val orders = application.orders()
    val caller = inTransaction("caller $tag") {
      runBlocking { withContext(elsewhere) { orders.place(order(tag)) } }
    }

    val sent = awaitTransaction("caller $tag")
    assertThat(sent.spans).noneMatch { it.op == "grpc.client" }
    assertThat(awaitServed(PLACE, tag).contexts.trace!!.traceId)
      .`as`("the server saw another trace: the thread's scopes, not the caller's")
      .isNotEqualTo(caller.spanContext.traceId)
  }

  @Test
  fun cancellingTheCoroutineCancelsTheCallOnBothSides() {
    val tag = newTag()
    val orders = application.orders()
    inTransaction("caller $tag") {
      runBlocking(SentryContext()) {
        val call = launch { orders.place(sleeping(tag)) }
        withContext(Dispatchers.IO) {
          assertThat(OrdersService.started(tag).await(30, TimeUnit.SECONDS))
            .`as`("the call reached the service")
            .isTrue()
        }
        call.cancel()
        call.join()
      }
    }

    assertThat(clientSpan(awaitTransaction("caller $tag"), PLACE).status).isEqualTo(SpanStatus.CANCELLED)
    assertThat(awaitServed(PLACE, tag).contexts.trace!!.status).isEqualTo(SpanStatus.CANCELLED)
  }

  @Test
  fun aCallPastItsDeadlineIsDeadlineExceededOnBothSides() {
    // Warm (see the kit's deadline case): the server's copy of the deadline starts when the call
    // reaches it.
    runBlocking { application.orders().place(order(newTag())) }
    val tag = newTag()
    val orders = application.orders().withDeadlineAfter(300, TimeUnit.MILLISECONDS)
    var failure: StatusException? = null
    inTransaction("caller $tag") {
      runBlocking(SentryContext()) {
        failure =
          try {
            orders.place(sleeping(tag))
            null
          } catch (e: StatusException) {
            e
          }
      }
    }

    assertThat(failure!!.status.code).isEqualTo(Status.Code.DEADLINE_EXCEEDED)
    assertThat(clientSpan(awaitTransaction("caller $tag"), PLACE).status)
      .isEqualTo(SpanStatus.DEADLINE_EXCEEDED)
    assertThat(awaitServed(PLACE, tag).contexts.trace!!.status).isEqualTo(SpanStatus.DEADLINE_EXCEEDED)
  }

  /** Runs [block] with a transaction bound to scopes of its own, current on this thread. */
  private fun inTransaction(name: String, block: () -> Unit): ITransaction {
    Sentry.forkedScopes("caller").makeCurrent().use {
      val transaction =
        Sentry.startTransaction(name, "test", TransactionOptions().apply { isBindToScope = true })
      try {
        block()
      } finally {
        transaction.finish()
      }
      return transaction
    }
  }

  private fun awaitTransaction(name: String): SentryTransaction =
    application.receiver.awaitTransaction({ it.transaction == name }, DELIVERY)

  private fun awaitServed(method: String, tag: String): SentryTransaction =
    application.receiver.awaitTransaction(
      { it.transaction == method && it.tags?.get(OrdersService.TAG) == tag }, DELIVERY)

  private fun clientSpan(transaction: SentryTransaction, method: String): SentrySpan =
    transaction.spans.firstOrNull { it.op == "grpc.client" && it.description == method }
      ?: throw AssertionError("no grpc.client span for $method among ${transaction.spans.map { it.op }}")

  companion object {
    private const val PLACE = "conformance.Orders/Place"
    private const val TRACK = "conformance.Orders/Track"
    private val DELIVERY = Duration.ofSeconds(30)

    private lateinit var application: CoroutineApplication

    @BeforeAll
    @JvmStatic
    fun startApplication() {
      application = CoroutineApplication.netty()
    }

    @AfterAll
    @JvmStatic
    fun stopApplication() = application.close()

    private fun newTag() = "k-" + UUID.randomUUID().toString().substring(0, 8)

    private fun order(tag: String): OrderRequest =
      OrderRequest.newBuilder().setItem(tag).setTag(tag).setOutcome("ok").build()

    private fun sleeping(tag: String): OrderRequest =
      order(tag).toBuilder().setOutcome("sleep").setSleepMs(30_000).build()
  }
}

package dev.sentrygrpc.armeria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.sentrygrpc.conformance.FrameworkConformanceTest;
import dev.sentrygrpc.conformance.OrderReply;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.sentry.SpanStatus;
import io.sentry.protocol.SentryTransaction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit's cases through Armeria's {@code GrpcService} and {@code GrpcClients}, and
 * what Armeria does of its own: its answer to a thrown status, its exception handler, unframed
 * (plain HTTP/JSON) requests, and the caller's deadline, which Armeria enforces itself instead of
 * putting it into the call's gRPC Context. Each subclass runs the services on one of Armeria's
 * two executors.
 */
abstract class ArmeriaConformanceTest extends FrameworkConformanceTest {

  /** The running application; set by the subclass before the cases run. */
  protected abstract ArmeriaApplication application();

  @Override
  protected SentryReceiver receiver() {
    return application().receiver;
  }

  @Override
  protected Channel channel() {
    return application().channel;
  }

  @Override
  protected Channel healthChannel() {
    return application().channel;
  }

  @Test
  void aThrownStatusIsWhatTheClientSeesAndNoEvent() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> orders().place(order(tag, "throw-status")));

    // grpc-java would answer UNKNOWN; Armeria answers with the thrown status.
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(served.getContexts().getTrace().getData())
        .containsEntry("rpc.response.status_code", "NOT_FOUND");
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).as("no error event").isEmpty();
  }

  @Test
  void anExceptionTheExceptionHandlerMapsGetsItsStatusAndNoEvent() {
    String tag = newTag();
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> orders().place(order(tag, "invalid")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getStatus())
        .isEqualTo(SpanStatus.INVALID_ARGUMENT);
    settle();
    assertThat(receiver().events().stream().filter(tagged(tag))).as("no error event").isEmpty();
  }

  @Test
  void aSecurityRefusalGetsItsStatusAndNoEvent() {
    String tag = newTag();
    Metadata refuse = new Metadata();
    refuse.put(RefusingInterceptor.REFUSE, "yes");
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                orders()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(refuse))
                    .place(order(tag, "ok")));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    // Refused before the service could tag it: the only transaction of the method since then.
    SentryTransaction refused =
        receiver()
            .awaitTransaction(
                t -> PLACE.equals(t.getTransaction())
                    && t.getContexts().getTrace().getStatus() == SpanStatus.UNAUTHENTICATED,
                DELIVERY);
    assertThat(refused.getContexts().getTrace().getData())
        .containsEntry("rpc.response.status_code", "UNAUTHENTICATED");
    settle();
    assertThat(receiver().events()).as("no error event").isEmpty();
  }

  @Test
  void theCallersDeadlineReachesTheTransaction() {
    String tag = newTag();
    orders().withDeadlineAfter(20, TimeUnit.SECONDS).place(order(tag, "ok"));

    // Armeria sends and enforces grpc-timeout, but leaves the server's gRPC Context without it.
    assertThat(awaitTransaction(PLACE, tag).getContexts().getTrace().getData())
        .hasEntrySatisfying(
            "grpc.deadline.remaining_ms",
            remaining -> assertThat(((Number) remaining).longValue()).isBetween(1L, 20_000L));

    // Without one, Armeria's client sends its default response timeout, 15 s.
    String untimed = newTag();
    orders().place(order(untimed, "ok"));
    assertThat(awaitTransaction(PLACE, untimed).getContexts().getTrace().getData())
        .hasEntrySatisfying(
            "grpc.deadline.remaining_ms",
            remaining -> assertThat(((Number) remaining).longValue()).isBetween(1L, 15_000L));
  }

  @Test
  void anUnframedJsonRequestIsOneTransaction() {
    String tag = newTag();
    String json = "{\"item\":\"" + tag + "\",\"tag\":\"" + tag + "\",\"outcome\":\"ok\"}";
    AggregatedHttpResponse response =
        WebClient.of("http://127.0.0.1:" + application().server.activeLocalPort())
            .prepare()
            .post("/" + PLACE)
            .content(MediaType.JSON_UTF_8, json)
            .execute()
            .aggregate()
            .join();

    assertThat(response.status()).isEqualTo(HttpStatus.OK);
    assertThat(response.contentUtf8()).contains("placed " + tag);
    SentryTransaction served = awaitTransaction(PLACE, tag);
    assertThat(served.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.OK);
    settle();
    assertThat(transactions(PLACE, tag)).hasSize(1);
  }

  /** Places an order, and returns the thread the service ran on. */
  protected Thread serviceThreadOfACall() {
    OrderReply reply = orders().place(order(newTag(), "ok"));
    assertThat(reply.getMessage()).startsWith("placed ");
    return ArmeriaOrdersService.lastThread;
  }
}

package dev.sentrygrpc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.SentryEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests Sentry would refuse, sent by hand. Every test starts with one good envelope received
 * and ends by checking it is still there and that the receiver still accepts the next one.
 */
class BadRequestsTest {

  private SentryReceiver receiver;

  @BeforeEach
  void startWithOneEnvelopeReceived() throws Exception {
    receiver = SentryReceiver.start();
    assertThat(Http.to(receiver).postGzipped(eventEnvelope("before")).status).isEqualTo(200);
  }

  @AfterEach
  void stillWorksAndLostNothing() throws Exception {
    try {
      assertThat(Http.to(receiver).post(eventEnvelope("after")).status).isEqualTo(200);
      assertThat(receiver.events())
          .extracting(event -> event.getMessage().getFormatted())
          .containsExactly("before", "after");
    } finally {
      receiver.close();
    }
  }

  @Test
  void acceptsAPlainEnvelopeAndAnswersWithItsEventId() throws Exception {
    String envelope = eventEnvelope("plain");
    Http.Answer answer = Http.to(receiver).post(envelope);

    assertThat(answer.status).isEqualTo(200);
    SentryEvent event = receiver.events().get(1);
    assertThat(answer.body).isEqualTo("{\"id\":\"" + event.getEventId() + "\"}");
    assertThat(receiver.envelopes().get(1).raw())
        .isEqualTo(envelope.getBytes(StandardCharsets.UTF_8));
    receiver.clear(); // keeps the after-check simple
    Http.to(receiver).post(eventEnvelope("before"));
  }

  @Test
  void wrongKeyIs401AndWhatItCarriedIsKeptApart() throws Exception {
    Http.Answer answer =
        Http.to(receiver).header("X-Sentry-Auth", Http.auth("0123456789abcdef0123456789abcdef"))
            .post(eventEnvelope("wrong key"));

    assertThat(answer.status).isEqualTo(401);
    assertThat(answer.body).startsWith("{\"detail\":\"invalid public key");
    assertThat(receiver.refusedRequests()).isEqualTo(1);
    assertThat(receiver.refusedEnvelopes().get(0).events().get(0).getMessage().getFormatted())
        .isEqualTo("wrong key");
  }

  @Test
  void missingAuthIs401() throws Exception {
    Http.Answer answer = Http.to(receiver).withoutHeader("X-Sentry-Auth").post(eventEnvelope("x"));

    assertThat(answer.status).isEqualTo(401);
    assertThat(answer.body).contains("missing authorization information");
  }

  @Test
  void theKeyMayComeInTheAuthorizationHeader() throws Exception {
    Http.Answer answer =
        Http.to(receiver).withoutHeader("X-Sentry-Auth")
            .header("Authorization", Http.auth(receiver.publicKey()))
            .post(eventEnvelope("authorization header"));

    assertThat(answer.status).isEqualTo(200);
    receiver.clear();
    Http.to(receiver).post(eventEnvelope("before"));
  }

  @Test
  void wrongProjectIs403() throws Exception {
    Http.Answer answer = Http.to(receiver).path("/api/2/envelope/").post(eventEnvelope("x"));

    assertThat(answer.status).isEqualTo(403);
    assertThat(answer.body).contains("project 2 does not match");
  }

  @Test
  void otherPathsAre404AndOtherMethods405() throws Exception {
    Http.Answer store = Http.to(receiver).path("/api/1/store/").post(eventEnvelope("x"));
    Http.Answer get = Http.to(receiver).method("GET").send(new byte[0]);

    assertThat(store.status).isEqualTo(404);
    assertThat(store.body).contains("/api/<project id>/envelope/");
    assertThat(get.status).isEqualTo(405);
    assertThat(receiver.refusedRequests()).isEqualTo(2);
  }

  @Test
  void truncatedGzipIs400() throws Exception {
    byte[] gzip = Http.gzip(eventEnvelope("truncated").getBytes(StandardCharsets.UTF_8));
    byte[] truncated = Arrays.copyOf(gzip, gzip.length / 2);

    Http.Answer answer = Http.to(receiver).header("Content-Encoding", "gzip").send(truncated);

    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.body).contains("body is not valid gzip");
    assertThat(receiver.refusedRequests()).isEqualTo(1);
    assertThat(receiver.refusedEnvelopes()).isEmpty();
  }

  @Test
  void garbageIs400() throws Exception {
    Http.Answer answer = Http.to(receiver).post("garbage\nmore garbage\n");

    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.body).contains("unparseable envelope");
  }

  @Test
  void emptyBodyIs400() throws Exception {
    Http.Answer answer = Http.to(receiver).send(new byte[0]);

    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.body).contains("empty body");
  }

  @Test
  void anItemLongerThanTheEnvelopeIs400() throws Exception {
    Http.Answer answer = Http.to(receiver).post("{}\n{\"type\":\"event\",\"length\":500}\n{}");

    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.body).contains("Invalid length for item");
  }

  @Test
  void unknownContentEncodingIs415() throws Exception {
    Http.Answer answer =
        Http.to(receiver).header("Content-Encoding", "br").post(eventEnvelope("brotli?"));

    assertThat(answer.status).isEqualTo(415);
    assertThat(answer.body).contains("unsupported Content-Encoding 'br'");
  }

  @Test
  void keepsEveryEnvelopeSentConcurrently() throws Exception {
    final int senders = 4;
    final int perSender = 25;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        final int sender = s;
        statuses.add(
            pool.submit(
                (Callable<Integer>)
                    () -> {
                      int ok = 0;
                      for (int i = 0; i < perSender; i++) {
                        String message = "concurrent " + sender + "/" + i;
                        ok += Http.to(receiver).postGzipped(eventEnvelope(message)).status == 200
                            ? 1 : 0;
                      }
                      return ok;
                    }));
      }
      int ok = 0;
      for (Future<Integer> status : statuses) {
        ok += status.get(30, TimeUnit.SECONDS);
      }
      assertThat(ok).isEqualTo(senders * perSender);
      assertThat(receiver.events()).hasSize(1 + senders * perSender);
      assertThat(receiver.receivedRequests()).isEqualTo(1 + senders * perSender);
    } finally {
      pool.shutdownNow();
    }
    receiver.clear();
    Http.to(receiver).post(eventEnvelope("before"));
  }

  /** A minimal event envelope, as the Java SDK frames it (items with a length). */
  static String eventEnvelope(String message) {
    String id = java.util.UUID.randomUUID().toString().replace("-", "");
    String event = "{\"event_id\":\"" + id + "\",\"message\":{\"formatted\":\"" + message + "\"}}";
    return "{\"event_id\":\"" + id + "\"}\n"
        + "{\"type\":\"event\",\"length\":" + event.getBytes(StandardCharsets.UTF_8).length + "}\n"
        + event + "\n";
  }
}

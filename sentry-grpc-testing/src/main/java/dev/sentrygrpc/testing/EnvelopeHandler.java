package dev.sentrygrpc.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.sentry.JsonSerializer;
import io.sentry.SentryOptions;
import io.sentry.protocol.SentryId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;

/**
 * Serves {@code POST /api/<project>/envelope/}: applies the active faults, checks the project and
 * key, decodes, records, and answers like Sentry. What it records is recorded before the answer
 * is written, so once the SDK has its answer (e.g. after {@code Sentry.flush}) a test sees it.
 */
final class EnvelopeHandler implements HttpHandler {

  private final IngestAuth auth;
  private final EnvelopeDecoder decoder;
  private final ReceivedData data;
  private final Faults faults;
  /** Writes the JSON answers; a serializer of its own, apart from the decoder's problem log. */
  private final JsonSerializer json = new JsonSerializer(new SentryOptions());

  EnvelopeHandler(IngestAuth auth, EnvelopeDecoder decoder, ReceivedData data, Faults faults) {
    this.auth = auth;
    this.decoder = decoder;
    this.data = data;
    this.faults = faults;
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      serve(exchange);
    } catch (IOException e) {
      // The client went away (e.g. it timed out during a stall); nothing to answer.
    } catch (InterruptedException e) {
      // The receiver is closing.
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A bug of the receiver must not take the server down, nor lose what was received so far.
      data.refuse(null);
      answerQuietly(exchange, 500, "receiver failed: " + e);
    } finally {
      exchange.close();
    }
  }

  private void serve(HttpExchange exchange) throws IOException, InterruptedException {
    byte[] body;
    try {
      body = RequestBodies.read(exchange.getRequestBody());
    } catch (BadRequestException e) {
      data.refuse(null);
      answer(exchange, e.status(), e.getMessage());
      return;
    }
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");

    FaultPlan plan = faults.awaitStall();
    switch (plan.answer()) {
      case DROP_CONNECTION:
      case REFUSE_CONNECTION: // a request accepted just before the listener closed
        data.refuse(decodeIfPossible(body, encoding));
        // Closing the exchange before any response is sent closes the connection.
        return;
      case WITH_STATUS:
        data.refuse(decodeIfPossible(body, encoding));
        if (plan.headerName() != null) {
          exchange.getResponseHeaders().set(plan.headerName(), plan.headerValue());
        }
        answer(exchange, plan.status(), "fault injected by SentryReceiver: " + plan);
        return;
      default:
        break;
    }

    ReceivedEnvelope envelope;
    try {
      auth.check(
          exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestHeaders());
      byte[] raw = RequestBodies.decompress(body, encoding);
      if (raw.length == 0) {
        throw new BadRequestException(400, "empty body: an envelope was expected");
      }
      envelope = decoder.decode(raw);
    } catch (BadRequestException e) {
      data.refuse(e.status() == 400 ? null : decodeIfPossible(body, encoding));
      answer(exchange, e.status(), e.getMessage());
      return;
    }
    data.accept(envelope);
    SentryId eventId = envelope.header().getEventId();
    answer(
        exchange,
        200,
        eventId == null
            ? Collections.<String, Object>emptyMap()
            : Collections.<String, Object>singletonMap("id", eventId.toString()));
  }

  private ReceivedEnvelope decodeIfPossible(byte[] body, String encoding) {
    try {
      return decoder.decode(RequestBodies.decompress(body, encoding));
    } catch (BadRequestException e) {
      return null;
    }
  }

  private void answer(HttpExchange exchange, int status, String detail) throws IOException {
    answer(exchange, status, Collections.<String, Object>singletonMap("detail", detail));
  }

  private void answer(HttpExchange exchange, int status, Map<String, Object> body)
      throws IOException {
    byte[] bytes;
    try {
      bytes = json.serialize(body).getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON answer", e);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void answerQuietly(HttpExchange exchange, int status, String detail) {
    try {
      answer(exchange, status, detail);
    } catch (IOException | RuntimeException e) {
      // Headers may already be sent; closing the exchange is all that is left.
    }
  }
}

package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testing.ReceivedEnvelope;
import dev.sentrygrpc.testing.SentryReceiver;
import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.TransactionOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The raw bytes of every envelope the SDK sent are searched for secrets: sensitive metadata never
 * leaves the process, with sendDefaultPii on or off; the peer address only with it; request and
 * response bodies never.
 */
class DataProtectionTest {
  private static final String[][] SENSITIVE = {
    {"authorization", "Bearer SECRET-bearer-7f3a"},
    {"proxy-authorization", "Basic SECRET-proxy-7f3a"},
    {"cookie", "sid=SECRET-cookie-7f3a"},
    {"x-api-key", "SECRET-apikey-7f3a"},
    {"x-auth-token", "SECRET-authtoken-7f3a"},
    {"x-csrf-token", "SECRET-csrf-7f3a"},
    {"x-refresh-token", "SECRET-refresh-7f3a"},
    {"x-client-secret", "SECRET-client-7f3a"},
    {"x-db-password", "SECRET-password-7f3a"},
    {"x-session-id", "SECRET-session-7f3a"},
    {"x-my-api-key", "SECRET-myapikey-7f3a"},
    {"x-forwarded-for", "198.51.100.77"},
    {"x-real-ip", "198.51.100.78"},
  };

  private SentryReceiver receiver;
  private ExecutorService pool;

  @AfterEach
  void stop() {
    pool.shutdownNow();
    Sentry.close();
    receiver.close();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void secretsNeverLeaveTheProcess(boolean sendDefaultPii) throws Exception {
    receiver = SentryReceiver.start();
    Harness.initSentry(receiver, options -> options.setSendDefaultPii(sendDefaultPii));
    pool = Executors.newFixedThreadPool(2);
    Metadata headers = new Metadata();
    for (String[] secret : SENSITIVE) {
      headers.put(Metadata.Key.of(secret[0], Metadata.ASCII_STRING_MARSHALLER), secret[1]);
    }
    headers.put(
        Metadata.Key.of("x-token-bin", Metadata.BINARY_BYTE_MARSHALLER),
        "SECRET-binary-7f3a".getBytes(StandardCharsets.UTF_8));
    headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), "tenant-visible-42");

    SentryGrpcOptions options =
        SentryGrpcOptions.builder()
            // Listing a sensitive key does not let it through.
            .capturedMetadata("authorization", "cookie")
            .capturedClientStatusCodes(Status.Code.UNKNOWN)
            .build();
    try (Harness harness = Harness.start(pool, options, true)) {
      TransactionOptions bound = new TransactionOptions();
      bound.setBindToScope(true);
      ITransaction transaction = Sentry.startTransaction("client-side", "task", bound);
      for (Calls.Kind kind : Calls.Kind.values()) {
        Calls.call(harness, kind, "body-" + kind + " BODY-SECRET-7f3a", headers, 0);
      }
      Calls.call(harness, Calls.Kind.UNARY, "body-fail BODY-SECRET-7f3a throw", headers, 0);
      transaction.finish();
    }
    Sentry.flush(5000);
    // Four call kinds plus the failing one, on the server, and the client-side transaction.
    receiver.awaitTransactions(6, Duration.ofSeconds(20));
    receiver.awaitEvents(2, Duration.ofSeconds(20));

    StringBuilder everything = new StringBuilder();
    for (ReceivedEnvelope envelope : receiver.envelopes()) {
      everything.append(envelope.rawAsString()).append('\n');
    }
    String sent = everything.toString();
    assertThat(sent).doesNotContain("SECRET").doesNotContain("198.51.100.");
    assertThat(sent).doesNotContain("7f3a");
    if (sendDefaultPii) {
      assertThat(sent).contains("tenant-visible-42").contains("127.0.0.1");
    } else {
      assertThat(sent).doesNotContain("tenant-visible-42");
      assertThat(sent).doesNotContain("\"client.address\"").doesNotContain("\"peer\"");
    }
  }
}

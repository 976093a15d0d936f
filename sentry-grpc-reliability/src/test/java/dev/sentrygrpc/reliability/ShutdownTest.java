package dev.sentrygrpc.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sentrygrpc.testing.SentryReceiver;
import io.sentry.SentryEvent;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's shutdown order loses no event, even when the process exits right after a failure. */
class ShutdownTest {

  @Test
  void anErrorRightBeforeExitReachesSentry() throws Exception {
    try (SentryReceiver receiver = SentryReceiver.start()) {
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      File output = File.createTempFile("shutdown-scenario", ".log");
      Process process =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ShutdownScenario.class.getName(),
                  receiver.dsn())
              .redirectErrorStream(true)
              .redirectOutput(output)
              .start();
      boolean exited = process.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly();
      }
      String log = new String(Files.readAllBytes(output.toPath()), StandardCharsets.UTF_8);
      assertThat(exited).as("scenario exited; its output:%n%s", log).isTrue();
      assertThat(process.exitValue()).as("scenario output:%n%s", log).isZero();

      // Already there when the process is gone: nothing was waiting to be sent.
      SentryEvent event = receiver.awaitEvents(1, Duration.ofMillis(1)).get(0);
      assertThat(event.getExceptions().get(0).getValue()).isEqualTo("failure in last-call");
      assertThat(receiver.transactions()).extracting(t -> t.getTransaction())
          .contains("sentrygrpc.test.EchoService/Unary");
    }
  }
}

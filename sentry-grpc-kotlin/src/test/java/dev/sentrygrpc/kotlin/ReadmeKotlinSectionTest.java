package dev.sentrygrpc.kotlin;

import dev.sentrygrpc.conformance.ReadmeSnippets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's grpc-kotlin section shows only code that {@link CoroutineApplication} and {@code
 * CoroutineClientTest} run.
 */
class ReadmeKotlinSectionTest {
  @Test
  void theReadmeShowsTheCodeTheTestsRun() {
    ReadmeSnippets.check(Path.of("").toAbsolutePath().getParent(), "README.md", "sentry-grpc-kotlin/");
  }
}

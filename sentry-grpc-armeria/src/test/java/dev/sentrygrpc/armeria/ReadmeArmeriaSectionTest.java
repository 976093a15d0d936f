package dev.sentrygrpc.armeria;

import dev.sentrygrpc.conformance.ReadmeSnippets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's Armeria section shows only code that {@link ArmeriaApplication} runs. */
class ReadmeArmeriaSectionTest {
  @Test
  void theReadmeShowsTheCodeTheTestsRun() {
    ReadmeSnippets.check(Path.of("").toAbsolutePath().getParent(), "README.md", "sentry-grpc-armeria/");
  }
}

package dev.sentrygrpc.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.JarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each published jar as Maven Central would serve it: a Java module name of its own, sources and
 * javadoc beside it (this build resolved them by coordinates), and a POM that says what it is,
 * on a parent that says whose it is and under which licence.
 */
class PublishedArtifactsTest {
  private static final Path REPOSITORY = Paths.get(System.getProperty("local.repository"));
  private static final String VERSION = System.getProperty("sentry-grpc.version");

  static String[] publishedJars() {
    return System.getProperty("published.jars").split(",");
  }

  @ParameterizedTest
  @MethodSource("publishedJars")
  void theJarNamesItsOwnJavaModule(String artifact) throws IOException {
    try (JarFile jar = new JarFile(file(artifact, artifact + "-" + VERSION + ".jar").toFile())) {
      String name = jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
      assertThat(name).startsWith("dev.sentrygrpc").isNotEqualTo("dev.sentrygrpc.unpublished");
      assertThat(name.split("\\.")).allMatch(part -> part.matches("[a-z][a-z0-9]*"));
    }
  }

  @ParameterizedTest
  @MethodSource("publishedJars")
  void sourcesAndJavadocComeWithIt(String artifact) throws IOException {
    try (JarFile sources = new JarFile(file(artifact, artifact + "-" + VERSION + "-sources.jar").toFile());
        JarFile javadoc = new JarFile(file(artifact, artifact + "-" + VERSION + "-javadoc.jar").toFile())) {
      assertThat(sources.stream()).anyMatch(entry -> entry.getName().endsWith(".java"));
      assertThat(javadoc.getEntry("index.html")).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("publishedJars")
  void itsPomSaysWhatItIsAndItsParentWhoseItIs(String artifact) throws IOException {
    String pom = new String(Files.readAllBytes(file(artifact, artifact + "-" + VERSION + ".pom")));
    assertThat(pom).contains("<name>", "<description>", "<artifactId>sentry-grpc-parent</artifactId>");
    String parent =
        new String(
            Files.readAllBytes(
                file("sentry-grpc-parent", "sentry-grpc-parent-" + VERSION + ".pom")));
    assertThat(parent).contains("<url>", "<licenses>", "<developers>", "<scm>", "<issueManagement>");
  }

  private static Path file(String artifact, String name) {
    Path path = REPOSITORY.resolve("dev/sentrygrpc").resolve(artifact).resolve(VERSION).resolve(name);
    assertThat(path).exists();
    return path;
  }
}

package dev.sentrygrpc.consumer;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The artifacts Maven resolved for this build, read off the test class path (a path in a Maven
 * repository says group, artifact and version): what the application really runs with.
 */
public final class ResolvedClassPath {
  private static final Pattern JAR =
      Pattern.compile(".*[/\\\\](io[/\\\\](?:grpc|sentry))[/\\\\]([^/\\\\]+)[/\\\\]([^/\\\\]+)[/\\\\]\\2-\\3[^/\\\\]*\\.jar$");

  private ResolvedClassPath() {}

  /** grpc-java's artifacts (io.grpc, grpc-kotlin aside: it has versions of its own). */
  public static Map<String, String> grpcJava() {
    Map<String, String> grpc = artifacts("io.grpc");
    grpc.keySet().removeIf(artifact -> artifact.startsWith("grpc-kotlin"));
    return grpc;
  }

  /** Every io.sentry artifact: the SDK refuses to start when they differ. */
  public static Map<String, String> sentry() {
    return artifacts("io.sentry");
  }

  /** artifactId to version, for one group. */
  public static Map<String, String> artifacts(String group) {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Map<String, String> found = new TreeMap<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      Matcher jar = JAR.matcher(entry);
      if (jar.matches() && jar.group(1).replace('\\', '/').replace('/', '.').equals(group)) {
        found.put(jar.group(2), jar.group(3));
      }
    }
    return found;
  }

  /** What the consumer POM says it declared, handed to the tests by surefire. */
  public static String expected(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("the consumer POM sets no system property " + name);
    }
    return value;
  }
}

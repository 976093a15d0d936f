package dev.sentrygrpc.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Node.js side of the interop tests: finds {@code node} and {@code npm} on the PATH, installs
 * the peers' packages ({@code npm ci}) when {@code node/node_modules} is missing or older than the
 * lockfile, once per JVM, and skips the calling test (with a visible line in the build log) when
 * Node.js is not there.
 */
final class NodeRuntime {

  /** {@code @sentry/node} 11 declares {@code engines.node >=20.19.0}. */
  private static final int[] MINIMUM_VERSION = {20, 19, 0};

  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private static NodeRuntime instance;
  private static String unavailable;
  private static RuntimeException failure;

  final Path node;
  final Path npm;
  final String version;
  /** The folder of the Node.js peers: {@code interop/node}. */
  final Path directory;
  /** The one echo.proto both languages are built from. */
  final Path echoProto;

  private NodeRuntime(Path node, Path npm, String version, Path directory, Path echoProto) {
    this.node = node;
    this.npm = npm;
    this.version = version;
    this.directory = directory;
    this.echoProto = echoProto;
  }

  /**
   * Node.js with the peers' packages installed, or the calling test is skipped (JUnit assumption)
   * when Node.js is not installed or too old. Failing to install the packages fails the test.
   */
  static synchronized NodeRuntime require() {
    if (failure != null) {
      throw new IllegalStateException("Node.js peers not usable (see the first failure)", failure);
    }
    if (instance == null && unavailable == null) {
      try {
        unavailable = detect();
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
      if (unavailable != null) {
        // Printed once as well as reported per test: a skip reason is easy to miss in a Maven log.
        System.out.println("[interop] " + unavailable);
      }
    }
    if (unavailable != null) {
      assumeTrue(false, unavailable);
    }
    return instance;
  }

  /** Finds Node.js and installs the packages; returns why the tests must skip, or null. */
  private static String detect() {
    Path node = onPath(WINDOWS ? "node.exe" : "node");
    Path npm = onPath(WINDOWS ? "npm.cmd" : "npm");
    if (node == null || npm == null) {
      return "Node.js not found: interop tests skipped (no "
          + (node == null ? "node" : "npm")
          + " on the PATH)";
    }
    String version = nodeVersion(node);
    if (version == null || !atLeast(version, MINIMUM_VERSION)) {
      return "Node.js >= 20.19.0 not found: interop tests skipped (found "
          + node
          + " "
          + version
          + "; @sentry/node 11 needs >= 20.19.0)";
    }
    Path directory = Paths.get(property("interop.node.dir", "node")).toAbsolutePath().normalize();
    Path echoProto =
        Paths.get(
                property(
                    "interop.echo.proto",
                    "../sentry-grpc-test-services/src/main/proto/echo.proto"))
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(directory.resolve("package-lock.json"))) {
      throw new IllegalStateException("no package-lock.json in " + directory);
    }
    if (!Files.isRegularFile(echoProto)) {
      throw new IllegalStateException("echo.proto not found at " + echoProto);
    }
    installPackages(npm, directory);
    instance = new NodeRuntime(node, npm, version, directory, echoProto);
    System.out.println("[interop] Node.js " + version + " at " + node);
    return null;
  }

  /** {@code npm ci} when node_modules is missing or older than the lockfile. */
  private static void installPackages(Path npm, Path directory) {
    Path installed = directory.resolve("node_modules").resolve(".package-lock.json");
    Path lockfile = directory.resolve("package-lock.json");
    try {
      if (Files.isRegularFile(installed)
          && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lockfile))
              >= 0) {
        return;
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + directory, e);
    }
    System.out.println("[interop] npm ci in " + directory);
    long start = System.nanoTime();
    List<String> command = new ArrayList<>();
    command.add(npm.toString());
    command.add("ci");
    command.add("--no-audit");
    command.add("--no-fund");
    Result result = run(command, directory, NPM_CI_TIMEOUT);
    if (result.exitCode != 0) {
      throw new IllegalStateException(
          "npm ci failed in "
              + directory
              + (result.exitCode == null ? " (timed out after " + NPM_CI_TIMEOUT + ")" : " (exit " + result.exitCode + ")")
              + ":\n"
              + result.output);
    }
    System.out.println(
        "[interop] npm ci done in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms");
  }

  private static String nodeVersion(Path node) {
    List<String> command = new ArrayList<>();
    command.add(node.toString());
    command.add("--version");
    Result result = run(command, null, VERSION_TIMEOUT);
    return result.exitCode != null && result.exitCode == 0 ? result.output.trim() : null;
  }

  static boolean atLeast(String version, int[] minimum) {
    Matcher matcher = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version);
    if (!matcher.find()) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      int part = Integer.parseInt(matcher.group(i + 1));
      if (part != minimum[i]) {
        return part > minimum[i];
      }
    }
    return true;
  }

  private static Path onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(Pattern.quote(File.pathSeparator))) {
      if (entry.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Paths.get(entry, executable);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      } catch (RuntimeException e) {
        // A malformed PATH entry: look at the next one.
      }
    }
    return null;
  }

  private static String property(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private static final class Result {
    final Integer exitCode;
    final String output;

    Result(Integer exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  /** Runs a short command to its end, output collected in a file; null exit code on timeout. */
  private static Result run(List<String> command, Path directory, Duration timeout) {
    Path log = null;
    Process process = null;
    try {
      log = Files.createTempFile("interop-node", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      process = builder.start();
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Integer exitCode = exited ? process.exitValue() : null;
      return new Result(exitCode, new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(null, "interrupted");
    } finally {
      if (process != null) {
        NodeProcess.kill(process);
      }
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          // A temporary file; the OS cleans it.
        }
      }
    }
  }

  private static File nullDevice() {
    return new File(WINDOWS ? "NUL" : "/dev/null");
  }
}

package dev.sentrygrpc.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Node.js peer run as a subprocess: its stdout and stderr are collected line by line (for the
 * ids it prints and for the test report when something fails), waits are bounded, and {@link
 * #close()} always ends it. The peers stop by themselves, after flushing Sentry, when their
 * standard input closes, so even a JVM that dies never leaves one behind.
 */
final class NodeProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  /** "out| ..." and "err| ..." lines, in arrival order; the monitor is notified on each. */
  private final List<String> lines = new ArrayList<>();
  private final Thread stdout;
  private final Thread stderr;

  private NodeProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdout = pump(process.getInputStream(), "out| ");
    this.stderr = pump(process.getErrorStream(), "err| ");
  }

  /**
   * Starts {@code node <script>} in the peers' folder. The environment is the JVM's without any
   * {@code SENTRY_*} variable (the SDK reads those), plus {@code env}.
   */
  static NodeProcess start(NodeRuntime runtime, String script, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(runtime.node.toString(), script).directory(runtime.directory.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("SENTRY_"));
    builder.environment().put("ECHO_PROTO", runtime.echoProto.toString());
    builder.environment().putAll(env);
    try {
      return new NodeProcess(script, builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + script, e);
    }
  }

  private Thread pump(InputStream stream, String prefix) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(prefix + line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                // The process ended; what was read is kept.
              } finally {
                synchronized (lines) {
                  lines.notifyAll();
                }
              }
            },
            "node-" + name + "-" + prefix.substring(0, 3));
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /**
   * The rest of the first stdout line that starts with {@code prefix}, waiting for it at most
   * {@code timeout}.
   *
   * @throws AssertionError when the process ends or the time passes first, with its output
   */
  String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (line.startsWith("out| " + prefix)) {
            return line.substring(("out| " + prefix).length());
          }
        }
        long remaining = deadline - System.nanoTime();
        if (!process.isAlive() && !stdout.isAlive()) {
          throw new AssertionError(
              "node " + name + " exited (" + process.exitValue() + ") without printing '"
                  + prefix + "'\n" + output());
        }
        if (remaining <= 0) {
          throw new AssertionError(
              "node " + name + " printed no '" + prefix + "' within " + timeout.toMillis()
                  + " ms\n" + output());
        }
        try {
          // Also wakes up now and then to notice the process ending.
          TimeUnit.NANOSECONDS.timedWait(lines, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /**
   * Waits for the process to end by itself; returns its exit code.
   *
   * @throws AssertionError when it is still running after {@code timeout}, with its output
   */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "node " + name + " still running after " + timeout.toMillis() + " ms\n" + output());
      }
      // Let the pumps read what is left.
      stdout.join(TimeUnit.SECONDS.toMillis(5));
      stderr.join(TimeUnit.SECONDS.toMillis(5));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Closes the process's standard input: a peer server then flushes Sentry and exits. */
  void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** Everything the process printed so far, stdout and stderr interleaved as they arrived. */
  String output() {
    synchronized (lines) {
      StringBuilder text = new StringBuilder("----- node ").append(name).append(" output -----\n");
      for (String line : lines) {
        text.append(line).append('\n');
      }
      return text.append("----- end of node ").append(name).append(" output -----").toString();
    }
  }

  String name() {
    return name;
  }

  @Override
  public void close() {
    closeStdin();
    kill(process);
  }

  /** Ends a process and everything it started, politely first; bounded. */
  static void kill(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}

package dev.sentrygrpc.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link ReceiverMain} in a child JVM on this JVM's class path and talks to it. */
final class ReceiverProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final String dsn;

  private ReceiverProcess(Process process) throws IOException {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String first = out.readLine();
    if (first == null || !first.startsWith("DSN ")) {
      process.destroyForcibly();
      throw new IOException("receiver did not start: " + first);
    }
    this.dsn = first.substring("DSN ".length());
  }

  static ReceiverProcess start() throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command =
        Arrays.asList(
            java,
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            ReceiverMain.class.getName());
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return new ReceiverProcess(process);
  }

  String dsn() {
    return dsn;
  }

  /** The receiver JVM's CPU time so far, in nanoseconds (it shares the machine's cores). */
  long cpuNanos() {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }

  synchronized String command(String line) throws IOException {
    in.write(line + "\n");
    in.flush();
    String answer = out.readLine();
    if (answer == null) {
      throw new IOException("receiver exited");
    }
    return answer;
  }

  @Override
  public void close() {
    try {
      command("quit");
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

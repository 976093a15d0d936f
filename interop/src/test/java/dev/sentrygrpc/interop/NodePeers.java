package dev.sentrygrpc.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Starts the Node.js peers of a test and always ends them after it. When the test fails, each
 * peer's output (and what the receiver got) is printed and attached to the failure, so the report
 * shows the Node side too.
 */
final class NodePeers implements AfterEachCallback, TestExecutionExceptionHandler {

  private final List<NodeProcess> started = new ArrayList<>();
  private final Supplier<String> context;

  /** @param context more to show on failure, e.g. a summary of what the receiver got */
  NodePeers(Supplier<String> context) {
    this.context = context;
  }

  /** Skips the test (assumption) when Node.js is missing; see {@link NodeRuntime#require()}. */
  NodeRuntime runtime() {
    return NodeRuntime.require();
  }

  synchronized NodeProcess start(String script, Map<String, String> env) {
    NodeProcess process = NodeProcess.start(runtime(), script, env);
    started.add(process);
    return process;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext extension, Throwable failure)
      throws Throwable {
    StringBuilder report = new StringBuilder();
    synchronized (this) {
      for (NodeProcess process : started) {
        report.append(process.output()).append('\n');
      }
    }
    try {
      report.append("receiver: ").append(context.get());
    } catch (RuntimeException e) {
      report.append("receiver: ").append(e);
    }
    System.err.println("[interop] " + extension.getDisplayName() + " failed\n" + report);
    failure.addSuppressed(new NodeOutput(report.toString()));
    throw failure;
  }

  @Override
  public synchronized void afterEach(ExtensionContext extension) {
    for (NodeProcess process : started) {
      process.close();
    }
    started.clear();
  }

  /** Carries the peers' output in the failure's report. */
  static final class NodeOutput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NodeOutput(String output) {
      super(output, null, false, false);
    }
  }
}

package dev.sentrygrpc.benchmarks;

import dev.sentrygrpc.testing.SentryReceiver;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local Sentry receiver of {@code sampled-http} and {@code stalled-backend}, in a JVM of its own
 * so that its decoding work and memory are not counted in the benchmark's time and allocation.
 * Started by {@link ReceiverProcess}; prints {@code DSN <dsn>}, then obeys one command per line on
 * standard input: {@code stall <ms>}, {@code healthy}, {@code stats}, {@code quit}. It forgets what
 * it received every second (keeping counts), so its memory stays flat.
 */
public final class ReceiverMain {
  private ReceiverMain() {}

  public static void main(String[] args) throws Exception {
    AtomicLong transactions = new AtomicLong();
    AtomicLong envelopes = new AtomicLong();
    // What the SDK's client reports said it dropped, by reason:category (summed quantities).
    Map<String, Long> discarded = new TreeMap<>();
    try (SentryReceiver receiver = SentryReceiver.start()) {
      ScheduledExecutorService clearer = Executors.newSingleThreadScheduledExecutor();
      clearer.scheduleWithFixedDelay(
          () -> {
            synchronized (receiver) {
              transactions.addAndGet(receiver.transactions().size());
              envelopes.addAndGet(receiver.envelopes().size());
              addDiscarded(discarded, receiver.clientReports());
              receiver.clear();
            }
          },
          1,
          1,
          TimeUnit.SECONDS);
      System.out.println("DSN " + receiver.dsn());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.trim().split("\\s+");
        switch (words[0]) {
          case "stall":
            receiver.faults().stall(Duration.ofMillis(Long.parseLong(words[1])));
            System.out.println("OK");
            break;
          case "healthy":
            receiver.faults().healthy();
            System.out.println("OK");
            break;
          case "stats":
            synchronized (receiver) {
              System.out.println(
                  "STATS envelopes="
                      + (envelopes.get() + receiver.envelopes().size())
                      + " transactions="
                      + (transactions.get() + receiver.transactions().size())
                      + " refusedRequests="
                      + receiver.refusedRequests()
                      + " discarded="
                      + discardedNow(discarded, receiver.clientReports()));
            }
            break;
          case "quit":
            clearer.shutdownNow();
            System.out.println("OK");
            System.out.flush();
            return;
          default:
            System.out.println("ERR unknown command " + line);
        }
        System.out.flush();
      }
      clearer.shutdownNow();
    }
  }

  private static void addDiscarded(Map<String, Long> totals, List<ClientReport> reports) {
    for (ClientReport report : reports) {
      for (DiscardedEvent event : report.getDiscardedEvents()) {
        totals.merge(event.getReason() + ":" + event.getCategory(), event.getQuantity(), Long::sum);
      }
    }
  }

  /** {@code reason:category=n,...} (or {@code -}) including reports not yet cleared. */
  private static String discardedNow(Map<String, Long> totals, List<ClientReport> pending) {
    Map<String, Long> all = new TreeMap<>(totals);
    addDiscarded(all, pending);
    if (all.isEmpty()) {
      return "-";
    }
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Long> entry : all.entrySet()) {
      text.append(text.length() == 0 ? "" : ",").append(entry.getKey()).append('=').append(entry.getValue());
    }
    return text.toString();
  }
}

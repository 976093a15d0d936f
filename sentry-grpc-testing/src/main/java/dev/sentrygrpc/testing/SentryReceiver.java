package dev.sentrygrpc.testing;

import io.sentry.SentryEvent;
import io.sentry.SpanContext;
import io.sentry.clientreport.ClientReport;
import io.sentry.protocol.SentryId;
import io.sentry.protocol.SentryTransaction;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A local Sentry: a real HTTP server on {@code 127.0.0.1} that accepts envelopes the way Sentry's
 * ingestion does, decodes them with the Sentry SDK's own reader, and keeps them for assertions.
 * Give {@link #dsn()} to {@code Sentry.init}; the SDK's normal HTTP transport then sends here.
 *
 * <pre>{@code
 * try (SentryReceiver receiver = SentryReceiver.start()) {
 *   Sentry.init(options -> {
 *     options.setDsn(receiver.dsn());
 *     options.setTracesSampleRate(1.0);
 *   });
 *   Sentry.captureException(new IllegalStateException("boom"));
 *   SentryEvent event = receiver.awaitEvents(1, Duration.ofSeconds(5)).get(0);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Lists returned are snapshots, in arrival order. Requests answered with anything
 * but 200 (faults, wrong key or project, malformed envelopes) are counted in {@link
 * #refusedRequests()} and never appear in the received lists. Its threads are daemon threads: a
 * receiver never keeps a JVM alive, but close it anyway to free the port.
 */
public final class SentryReceiver implements AutoCloseable {

  /** Sentry's project ids are numbers; one project per receiver, so any number does. */
  private static final String PROJECT_ID = "1";

  private final String publicKey;
  private final ReceivedData data = new ReceivedData();
  private final Listener listener;
  private final Faults faults;

  private SentryReceiver(InetAddress address, String publicKey) {
    this.publicKey = publicKey;
    this.listener = new Listener(address);
    this.faults = new Faults(listener);
    listener.start(
        new EnvelopeHandler(
            new IngestAuth(PROJECT_ID, publicKey), new EnvelopeDecoder(), data, faults));
  }

  /** Starts a receiver on {@code 127.0.0.1} and a free port, with a fresh random public key. */
  public static SentryReceiver start() {
    InetAddress loopback;
    try {
      // Not "localhost": the DSN must name the very address listened on, whatever IPv6 says.
      loopback = InetAddress.getByName("127.0.0.1");
    } catch (UnknownHostException e) {
      throw new IllegalStateException("no IPv4 loopback address", e);
    }
    return new SentryReceiver(loopback, UUID.randomUUID().toString().replace("-", ""));
  }

  /** The DSN to give the SDK: {@code http://<public key>@127.0.0.1:<port>/<project id>}. */
  public String dsn() {
    return "http://" + publicKey + "@127.0.0.1:" + port() + "/" + PROJECT_ID;
  }

  /** The port listened on; it stays the same while connections are refused by a fault. */
  public int port() {
    return listener.port();
  }

  /** The public key requests must carry ({@code sentry_key}). */
  public String publicKey() {
    return publicKey;
  }

  /** The project id requests must be addressed to. */
  public String projectId() {
    return PROJECT_ID;
  }

  /** Every envelope received (answered 200), in arrival order. */
  public List<ReceivedEnvelope> envelopes() {
    return data.received();
  }

  /** The error events received (the {@code event} items of every envelope). */
  public List<SentryEvent> events() {
    List<SentryEvent> events = new ArrayList<>();
    for (ReceivedEnvelope envelope : data.received()) {
      events.addAll(envelope.events());
    }
    return events;
  }

  /** The transactions received, each with its spans ({@code getSpans()}). */
  public List<SentryTransaction> transactions() {
    List<SentryTransaction> transactions = new ArrayList<>();
    for (ReceivedEnvelope envelope : data.received()) {
      transactions.addAll(envelope.transactions());
    }
    return transactions;
  }

  /**
   * The received items of one type as sent, decoded or not: {@code "client_report"}, {@code
   * "log"}, {@code "span"}, {@code "session"}, {@code "check_in"}, {@code "attachment"}...
   */
  public List<ReceivedItem> items(String type) {
    List<ReceivedItem> items = new ArrayList<>();
    for (ReceivedEnvelope envelope : data.received()) {
      items.addAll(envelope.items(type));
    }
    return items;
  }

  /**
   * Every metric point received ({@code trace_metric} items), in arrival order: query them with
   * {@link ReceivedMetrics#named}, {@link ReceivedMetrics#where}, {@link ReceivedMetrics#count},
   * {@link ReceivedMetrics#percentile}...
   */
  public ReceivedMetrics metrics() {
    List<ReceivedMetric> points = new ArrayList<>();
    for (ReceivedItem item : items("trace_metric")) {
      points.addAll(item.metrics());
    }
    return new ReceivedMetrics(points);
  }

  /** The metric points of one name, e.g. {@code "rpc.server.call.duration"}. */
  public ReceivedMetrics metrics(String name) {
    return metrics().named(name);
  }

  /** Every Sentry log received ({@code log} items), in arrival order. */
  public List<ReceivedLog> logs() {
    List<ReceivedLog> logs = new ArrayList<>();
    for (ReceivedItem item : items("log")) {
      logs.addAll(item.logs());
    }
    return logs;
  }

  /**
   * Waits until the metric points received satisfy the condition, e.g. {@code m ->
   * m.named("grpc.server.calls").sum() >= 1000}; returns them.
   *
   * @throws AssertionError when {@code timeout} passes first, listing what did arrive
   */
  public ReceivedMetrics awaitMetrics(Predicate<? super ReceivedMetrics> condition, Duration timeout) {
    return data.await(
        timeout,
        this::metrics,
        condition,
        "metric points that match the condition",
        last -> "Metric points now: " + last);
  }

  /** Waits until at least {@code count} logs were received; returns them all. */
  public List<ReceivedLog> awaitLogs(final int count, Duration timeout) {
    return data.await(timeout, this::logs, logs -> logs.size() >= count, count + " log(s)", null);
  }

  /** Waits for a log that matches; returns the first that does. */
  public ReceivedLog awaitLog(Predicate<? super ReceivedLog> condition, Duration timeout) {
    List<ReceivedLog> found =
        data.await(
            timeout,
            () -> matching(logs(), condition),
            matches -> !matches.isEmpty(),
            "a log that matches",
            null);
    return found.get(0);
  }

  /**
   * The client reports received: what the SDK says it dropped, and why ({@code ratelimit_backoff},
   * {@code send_error}, {@code network_error}, {@code sample_rate}, {@code before_send}...). The
   * SDK sends them along with a later envelope.
   */
  public List<ClientReport> clientReports() {
    List<ClientReport> reports = new ArrayList<>();
    for (ReceivedItem item : items("client_report")) {
      if (item.clientReport() != null) {
        reports.add(item.clientReport());
      }
    }
    return reports;
  }

  /**
   * What the refused requests carried, when it could be decoded: proof that the SDK tried to send
   * it while a fault was active (or with a wrong key).
   */
  public List<ReceivedEnvelope> refusedEnvelopes() {
    return data.refused();
  }

  /** How many requests were answered 200 since the start or the last {@link #clear()}. */
  public int receivedRequests() {
    return data.receivedRequests();
  }

  /**
   * How many requests were answered otherwise (or dropped) since the start or the last {@link
   * #clear()}: faults, authentication failures, malformed envelopes.
   */
  public int refusedRequests() {
    return data.refusedRequests();
  }

  /** Waits until at least {@code count} envelopes were received; returns them all. */
  public List<ReceivedEnvelope> awaitEnvelopes(final int count, Duration timeout) {
    return data.await(
        timeout,
        this::envelopes,
        envelopes -> envelopes.size() >= count,
        count + " envelope(s)",
        null);
  }

  /**
   * Waits until at least {@code count} error events were received; returns them all.
   *
   * @throws AssertionError when {@code timeout} passes first, listing what did arrive
   */
  public List<SentryEvent> awaitEvents(final int count, Duration timeout) {
    return data.await(
        timeout, this::events, events -> events.size() >= count, count + " event(s)", null);
  }

  /** Waits for an error event that matches; returns the first that does. */
  public SentryEvent awaitEvent(Predicate<? super SentryEvent> condition, Duration timeout) {
    List<SentryEvent> found =
        data.await(
            timeout,
            () -> matching(events(), condition),
            matches -> !matches.isEmpty(),
            "an event that matches",
            null);
    return found.get(0);
  }

  /**
   * Waits until at least {@code count} transactions were received; returns them all.
   *
   * @throws AssertionError when {@code timeout} passes first, listing what did arrive
   */
  public List<SentryTransaction> awaitTransactions(final int count, Duration timeout) {
    return data.await(
        timeout,
        this::transactions,
        transactions -> transactions.size() >= count,
        count + " transaction(s)",
        null);
  }

  /** Waits for a transaction that matches; returns the first that does. */
  public SentryTransaction awaitTransaction(
      Predicate<? super SentryTransaction> condition, Duration timeout) {
    List<SentryTransaction> found =
        data.await(
            timeout,
            () -> matching(transactions(), condition),
            matches -> !matches.isEmpty(),
            "a transaction that matches",
            null);
    return found.get(0);
  }

  /** Waits until at least {@code count} items of the type were received; returns them all. */
  public List<ReceivedItem> awaitItems(final String type, final int count, Duration timeout) {
    return data.await(
        timeout,
        () -> items(type),
        items -> items.size() >= count,
        count + " item(s) of type '" + type + "'",
        null);
  }

  /**
   * Waits until the trace satisfies the condition, e.g. {@code t -> t.transactions().size() == 2}
   * for a client and a server transaction that arrive separately; returns it.
   *
   * @throws AssertionError when {@code timeout} passes first, showing the trace as it is
   */
  public TraceTree awaitTrace(
      final SentryId traceId, Predicate<? super TraceTree> condition, Duration timeout) {
    return data.await(
        timeout,
        () -> trace(traceId),
        condition,
        "trace " + traceId + " to match the condition",
        last -> "The trace as it is now: " + last);
  }

  /** The transactions, spans and errors received so far for one trace. */
  public TraceTree trace(SentryId traceId) {
    return new TraceTree(traceId, transactions(), events());
  }

  /** The transactions, spans and errors received so far for one trace (32 hex characters). */
  public TraceTree trace(String traceId) {
    return trace(new SentryId(traceId));
  }

  /** The trace ids of the transactions and error events received, in order of first arrival. */
  public List<SentryId> traceIds() {
    Set<SentryId> ids = new LinkedHashSet<>();
    for (ReceivedEnvelope envelope : data.received()) {
      for (ReceivedItem item : envelope.items()) {
        SpanContext trace = null;
        if (item.transaction() != null) {
          trace = item.transaction().getContexts().getTrace();
        } else if (item.event() != null) {
          trace = item.event().getContexts().getTrace();
        }
        if (trace != null) {
          ids.add(trace.getTraceId());
        }
      }
    }
    return new ArrayList<>(ids);
  }

  /** Switches fault modes, to see how the SDK copes with a failing Sentry. */
  public Faults faults() {
    return faults;
  }

  /**
   * Forgets everything received and refused, and resets the counters. Faults are left as they are.
   */
  public void clear() {
    data.clear();
  }

  /** Stops listening and releases stalled requests; what was received stays readable. */
  @Override
  public void close() {
    faults.close();
    listener.close();
  }

  /** The DSN and a summary of what arrived. */
  @Override
  public String toString() {
    return "SentryReceiver " + dsn() + " (" + faults + "): " + data;
  }

  private static <T> List<T> matching(List<T> all, Predicate<? super T> condition) {
    List<T> matching = new ArrayList<>();
    for (T candidate : all) {
      if (condition.test(candidate)) {
        matching.add(candidate);
      }
    }
    return matching;
  }
}

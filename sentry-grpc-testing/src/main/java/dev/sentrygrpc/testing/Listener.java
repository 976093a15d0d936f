package dev.sentrygrpc.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening socket of a receiver. It can stop listening and listen again on the same port, so
 * that "connection refused" can be simulated without changing the DSN the SDK was given.
 */
final class Listener {

  /** A couple of threads is plenty for tests; more would only hide a stalled request. */
  private static final int HANDLER_THREADS = 4;

  private static final AtomicInteger RECEIVERS = new AtomicInteger();

  private final InetAddress address;
  private HttpHandler handler;
  private final ExecutorService handlers;
  private final String threadPrefix;
  private HttpServer server;
  private int port;
  private boolean closed;

  Listener(InetAddress address) {
    this.address = address;
    this.threadPrefix = "sentry-receiver-" + RECEIVERS.incrementAndGet();
    this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemonThreads(threadPrefix));
  }

  /** Starts serving requests with the given handler, on an ephemeral port. */
  synchronized void start(HttpHandler handler) {
    this.handler = handler;
    listen();
  }

  /** Listens again, on the same port as before; no-op if listening, closed or not started. */
  synchronized void listen() {
    if (closed || server != null || handler == null) {
      return;
    }
    try {
      HttpServer created = HttpServer.create(new InetSocketAddress(address, port), 50);
      created.createContext("/", handler);
      created.setExecutor(handlers);
      startOnDaemonThread(created);
      server = created;
      port = created.getAddress().getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
    }
  }

  /** Closes the listening socket (and open connections); the port is kept for {@link #listen}. */
  synchronized void stopListening() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  synchronized boolean isListening() {
    return server != null;
  }

  synchronized int port() {
    return port;
  }

  synchronized void close() {
    closed = true;
    stopListening();
    handlers.shutdownNow();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The JDK's HttpServer starts its dispatcher thread as a non-daemon thread that inherits the
   * daemon flag of the thread calling start(). Starting it from a daemon thread means a receiver
   * somebody forgot to close never keeps the JVM (or a test run) from exiting.
   */
  private void startOnDaemonThread(final HttpServer created) {
    Thread starter = new Thread(created::start, threadPrefix + "-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the receiver", e);
    }
  }

  private static ThreadFactory daemonThreads(final String prefix) {
    final AtomicInteger count = new AtomicInteger();
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      }
    };
  }
}

package dev.sentrygrpc.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Sends hand-made requests to a receiver, the way an SDK would (or would not). */
final class Http {

  /** A status and the body that came with it. */
  static final class Answer {
    final int status;
    final String body;

    Answer(int status, String body) {
      this.status = status;
      this.body = body;
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final SentryReceiver receiver;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private String path;
  private String method = "POST";

  private Http(SentryReceiver receiver) {
    this.receiver = receiver;
    this.path = "/api/" + receiver.projectId() + "/envelope/";
    headers.put("Content-Type", "application/x-sentry-envelope");
    headers.put("X-Sentry-Auth", auth(receiver.publicKey()));
  }

  /** A request to the receiver's envelope endpoint with the right key. */
  static Http to(SentryReceiver receiver) {
    return new Http(receiver);
  }

  static String auth(String key) {
    return "Sentry sentry_version=7, sentry_client=hand-made/1.0, sentry_key=" + key;
  }

  Http path(String path) {
    this.path = path;
    return this;
  }

  Http method(String method) {
    this.method = method;
    return this;
  }

  Http header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  Http withoutHeader(String name) {
    headers.remove(name);
    return this;
  }

  Answer post(String envelope) throws IOException {
    return send(envelope.getBytes(StandardCharsets.UTF_8));
  }

  Answer postGzipped(String envelope) throws IOException {
    header("Content-Encoding", "gzip");
    return send(gzip(envelope.getBytes(StandardCharsets.UTF_8)));
  }

  Answer send(byte[] body) throws IOException {
    URL url = new URL("http://127.0.0.1:" + receiver.port() + path);
    HttpURLConnection connection = (HttpURLConnection) url.openConnection();
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout(5000);
      connection.setReadTimeout(10000);
      for (Map.Entry<String, String> header : headers.entrySet()) {
        connection.setRequestProperty(header.getKey(), header.getValue());
      }
      if ("POST".equals(method)) {
        connection.setDoOutput(true);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body);
        }
      }
      int status = connection.getResponseCode();
      InputStream answer = status < 400 ? connection.getInputStream() : connection.getErrorStream();
      return new Answer(status, answer == null ? "" : readAll(answer));
    } finally {
      connection.disconnect();
    }
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  private static String readAll(InputStream in) throws IOException {
    try (InputStream input = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int read;
      while ((read = input.read(buffer)) != -1) {
        out.write(buffer, 0, read);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
  }
}

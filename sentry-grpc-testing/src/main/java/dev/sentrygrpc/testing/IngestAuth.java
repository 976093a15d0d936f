package dev.sentrygrpc.testing;

import com.sun.net.httpserver.Headers;
import java.io.UnsupportedEncodingException;
import java.net.URI;
import java.net.URLDecoder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a request is addressed to this receiver's project with its public key, as Sentry's
 * ingestion does. The key comes in the {@code X-Sentry-Auth} header (Java, Python SDKs) or in the
 * {@code sentry_key} query parameter (JavaScript SDKs).
 */
final class IngestAuth {

  private static final Pattern ENVELOPE_PATH = Pattern.compile("^/api/([^/]+)/envelope/?$");
  private static final Pattern NUMERIC = Pattern.compile("^[0-9]+$");

  private final String projectId;
  private final String publicKey;

  IngestAuth(String projectId, String publicKey) {
    this.projectId = projectId;
    this.publicKey = publicKey;
  }

  /** Passes silently, or says why the request is refused. */
  void check(String method, URI uri, Headers headers) throws BadRequestException {
    String path = uri.getPath();
    Matcher envelope = ENVELOPE_PATH.matcher(path == null ? "" : path);
    if (!envelope.matches() || !NUMERIC.matcher(envelope.group(1)).matches()) {
      throw new BadRequestException(
          404, "not found: " + path + " (envelopes go to POST /api/<project id>/envelope/)");
    }
    if (!"POST".equals(method)) {
      throw new BadRequestException(405, "method " + method + " not allowed, use POST");
    }
    String key = keyOf(uri, headers);
    if (key == null) {
      throw new BadRequestException(
          401,
          "missing authorization information: no sentry_key in the X-Sentry-Auth header"
              + " or the query string");
    }
    if (!publicKey.equals(key)) {
      throw new BadRequestException(401, "invalid public key: not a key of this project");
    }
    if (!projectId.equals(envelope.group(1))) {
      throw new BadRequestException(
          403, "project " + envelope.group(1) + " does not match the public key's project");
    }
  }

  private static String keyOf(URI uri, Headers headers) {
    String fromHeader = keyInAuthHeader(headers.getFirst("X-Sentry-Auth"));
    if (fromHeader == null) {
      String authorization = headers.getFirst("Authorization");
      if (authorization != null && authorization.trim().startsWith("Sentry ")) {
        fromHeader = keyInAuthHeader(authorization);
      }
    }
    return fromHeader != null ? fromHeader : keyInQuery(uri.getRawQuery());
  }

  /** {@code Sentry sentry_version=7, sentry_client=sentry.java/8.62.0, sentry_key=abc}. */
  private static String keyInAuthHeader(String header) {
    if (header == null) {
      return null;
    }
    String pairs = header.trim();
    if (pairs.startsWith("Sentry ")) {
      pairs = pairs.substring("Sentry ".length());
    }
    for (String pair : pairs.split(",")) {
      String[] nameAndValue = pair.trim().split("=", 2);
      if (nameAndValue.length == 2 && "sentry_key".equals(nameAndValue[0].trim())) {
        return nameAndValue[1].trim();
      }
    }
    return null;
  }

  private static String keyInQuery(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      String[] nameAndValue = pair.split("=", 2);
      if (nameAndValue.length == 2 && "sentry_key".equals(nameAndValue[0])) {
        try {
          return URLDecoder.decode(nameAndValue[1], "UTF-8");
        } catch (UnsupportedEncodingException e) {
          throw new IllegalStateException("UTF-8 is always supported", e);
        }
      }
    }
    return null;
  }
}

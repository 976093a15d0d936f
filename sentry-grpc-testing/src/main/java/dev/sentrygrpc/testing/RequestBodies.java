package dev.sentrygrpc.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** Reads request bodies, and undoes the compression the SDKs apply. */
final class RequestBodies {

  /** Far above anything a test sends; a bound so a runaway sender cannot exhaust the heap. */
  static final int MAX_BYTES = 64 * 1024 * 1024;

  private RequestBodies() {}

  /** The body as sent on the wire. */
  static byte[] read(InputStream body) throws IOException, BadRequestException {
    return readAll(body, "request body");
  }

  /**
   * The body decompressed as its {@code Content-Encoding} says: the Java SDK gzips every envelope,
   * the JavaScript SDK gzips large ones.
   */
  static byte[] decompress(byte[] body, String contentEncoding) throws BadRequestException {
    String encoding =
        contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    try {
      switch (encoding) {
        case "":
        case "identity":
          return body;
        case "gzip":
        case "x-gzip":
          try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return readAll(gzip, "decompressed envelope");
          }
        case "deflate":
          try (InputStream deflate = new InflaterInputStream(new ByteArrayInputStream(body))) {
            return readAll(deflate, "decompressed envelope");
          }
        default:
          throw new BadRequestException(
              415, "unsupported Content-Encoding '" + contentEncoding + "'");
      }
    } catch (IOException e) {
      throw new BadRequestException(
          400, "body is not valid " + encoding + " (" + e.getMessage() + ")");
    }
  }

  private static byte[] readAll(InputStream in, String what)
      throws IOException, BadRequestException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int read;
    while ((read = in.read(buffer)) != -1) {
      if (out.size() + read > MAX_BYTES) {
        throw new BadRequestException(413, what + " larger than " + MAX_BYTES + " bytes");
      }
      out.write(buffer, 0, read);
    }
    return out.toByteArray();
  }
}

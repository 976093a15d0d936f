package dev.sentrygrpc.testing;

import io.sentry.ISerializer;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares an envelope for the SDK's {@code EnvelopeReader}, which only understands items whose
 * header carries a {@code length}. The envelope format also allows items without one, whose
 * payload then ends at the next newline; other SDKs (JavaScript, Python) send those. This pass
 * adds the missing lengths and notes each item's type as sent, because the SDK maps item types it
 * does not know (e.g. {@code sessions}) to {@code __unknown__}. It splits the envelope only as far
 * as needed for that; everything else, including validation, is left to the SDK's reader.
 */
final class ItemFraming {

  /** The bytes to give the SDK's reader, and the item types as sent (empty if not framed). */
  static final class Framed {
    final byte[] bytes;
    final List<String> itemTypes;

    Framed(byte[] bytes, List<String> itemTypes) {
      this.bytes = bytes;
      this.itemTypes = itemTypes;
    }
  }

  private ItemFraming() {}

  /**
   * Adds missing item lengths. Anything this pass cannot make sense of is handed on unchanged, so
   * the SDK's reader reports the problem with its own words.
   */
  static Framed frame(byte[] envelope, ISerializer serializer) {
    Framed unchanged = new Framed(envelope, new ArrayList<String>());
    int headerEnd = indexOfNewline(envelope, 0);
    if (headerEnd < 0) {
      return unchanged;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(envelope.length + 64);
    out.write(envelope, 0, headerEnd + 1);
    List<String> types = new ArrayList<>();
    int position = headerEnd + 1;
    while (position < envelope.length) {
      int itemHeaderEnd = indexOfNewline(envelope, position);
      if (itemHeaderEnd < 0) {
        return unchanged;
      }
      Map<String, Object> itemHeader = jsonObject(envelope, position, itemHeaderEnd, serializer);
      if (itemHeader == null) {
        return unchanged;
      }
      Object type = itemHeader.get("type");
      types.add(type == null ? null : type.toString());
      int payloadStart = itemHeaderEnd + 1;
      int payloadEnd;
      Object length = itemHeader.get("length");
      if (length instanceof Number) {
        payloadEnd = payloadStart + ((Number) length).intValue();
        if (payloadEnd > envelope.length || payloadEnd < payloadStart) {
          return unchanged;
        }
        out.write(envelope, position, payloadStart - position);
      } else {
        int newline = indexOfNewline(envelope, payloadStart);
        payloadEnd = newline < 0 ? envelope.length : newline;
        itemHeader.put("length", payloadEnd - payloadStart);
        byte[] rewritten = serialize(itemHeader, serializer);
        if (rewritten == null) {
          return unchanged;
        }
        out.write(rewritten, 0, rewritten.length);
        out.write('\n');
      }
      out.write(envelope, payloadStart, payloadEnd - payloadStart);
      position = payloadEnd;
      if (position < envelope.length) {
        if (envelope[position] != '\n') {
          return unchanged;
        }
        out.write('\n');
        position++;
      }
    }
    return new Framed(out.toByteArray(), types);
  }

  private static int indexOfNewline(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jsonObject(
      byte[] bytes, int from, int to, ISerializer serializer) {
    String json = new String(bytes, from, to - from, StandardCharsets.UTF_8);
    try {
      // The serializer hands back whatever JSON value it finds, whatever class was asked for.
      Object value =
          serializer.deserialize(new StringReader(json), (Class<Object>) (Class<?>) Map.class);
      return value instanceof Map ? new LinkedHashMap<>((Map<String, Object>) value) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] serialize(Map<String, Object> json, ISerializer serializer) {
    try {
      return serializer.serialize(json).getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      return null;
    }
  }
}

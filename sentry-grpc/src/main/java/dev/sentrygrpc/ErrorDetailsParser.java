package dev.sentrygrpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a serialized {@code google.rpc.Status} into {@link ErrorDetails}. The one class of this
 * library that uses protobuf: {@link ErrorDetailsReader} calls it only after finding protobuf-java
 * and the common protos on the class path, so it is never loaded (nor verified) without them.
 *
 * <p>Everything is bounded: details examined, items per list, characters per string and in all.
 * Parts that may carry personal data or internals are read only when the caller's mask allows
 * them; otherwise the context says {@code [Filtered]} where they were, as Sentry's own scrubbing
 * does, so a user can tell there is something to allow. Detail types this class does not know
 * are listed by name.
 */
final class ErrorDetailsParser {
  /** {@code Any} entries looked at; a well-formed status has one per detail type. */
  static final int MAX_DETAILS = 32;
  /** Items per list: field violations, quota and precondition violations, links, metadata. */
  static final int MAX_ITEMS = 20;
  /** DebugInfo stack entries (a Java stack trace is one entry per frame). */
  static final int MAX_STACK_ENTRIES = 50;
  /** Identifiers: reason, domain, field, subject, type, resource, metadata keys and values. */
  static final int MAX_NAME = 256;
  /** Free text: descriptions, DebugInfo detail and stack entries, messages. */
  static final int MAX_TEXT = 1024;
  /** Characters of all strings of one status together. */
  static final int MAX_TOTAL = 16 * 1024;

  static final String FILTERED = "[Filtered]";
  static final String ELLIPSIS = "...";

  private static final String ERROR_INFO = "google.rpc.ErrorInfo";
  private static final String BAD_REQUEST = "google.rpc.BadRequest";
  private static final String RETRY_INFO = "google.rpc.RetryInfo";
  private static final String QUOTA_FAILURE = "google.rpc.QuotaFailure";
  private static final String PRECONDITION_FAILURE = "google.rpc.PreconditionFailure";
  private static final String RESOURCE_INFO = "google.rpc.ResourceInfo";
  private static final String HELP = "google.rpc.Help";
  private static final String LOCALIZED_MESSAGE = "google.rpc.LocalizedMessage";
  private static final String REQUEST_INFO = "google.rpc.RequestInfo";
  private static final String DEBUG_INFO = "google.rpc.DebugInfo";

  private static final int SEEN_ERROR_INFO = 1;
  private static final int SEEN_RETRY_INFO = 1 << 1;
  private static final int SEEN_RESOURCE_INFO = 1 << 2;
  private static final int SEEN_LOCALIZED_MESSAGE = 1 << 3;
  private static final int SEEN_REQUEST_INFO = 1 << 4;
  private static final int SEEN_DEBUG_INFO = 1 << 5;

  private ErrorDetailsParser() {}

  /**
   * @param allowed the {@code ErrorDetailsReader.ALLOW_*} bits of the protected parts to read
   * @return the details, or null when the status has none
   * @throws InvalidProtocolBufferException when the bytes are not a {@code google.rpc.Status}
   */
  static ErrorDetails parse(byte[] bytes, int allowed) throws InvalidProtocolBufferException {
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(bytes);
    Collector collector = new Collector(allowed);
    List<Any> details = status.getDetailsList();
    for (int i = 0; i < details.size(); i++) {
      if (i == MAX_DETAILS) {
        collector.truncated = true;
        break;
      }
      collector.add(details.get(i));
    }
    return collector.result();
  }

  /**
   * Reads a known status ({@code ErrorInfo} reason {@code R}, domain {@code d}), encoded by hand:
   * proves the whole path works with the protobuf on this class path before any call uses it.
   */
  static boolean selfTest() throws InvalidProtocolBufferException {
    byte[] errorInfo = concat(field(1, ascii("R")), field(2, ascii("d")));
    byte[] any = concat(field(1, ascii("type.googleapis.com/" + ERROR_INFO)), field(2, errorInfo));
    byte[] status = concat(new byte[] {0x08, 0x09}, field(3, any));
    ErrorDetails details = parse(status, 0);
    return details != null && "R".equals(details.reason) && "d".equals(details.domain);
  }

  /** Builds span data and context from the details, one {@code Any} at a time. */
  private static final class Collector {
    private final int allowed;
    private final Map<String, Object> spanData = new LinkedHashMap<>();
    private final Map<String, Object> context = new LinkedHashMap<>();
    private int budget = MAX_TOTAL;
    boolean truncated;
    private int unreadable;
    private int seen;
    private String reason;
    private String domain;

    Collector(int allowed) {
      this.allowed = allowed;
    }

    void add(Any any) {
      String type = typeName(any.getTypeUrl());
      ByteString value = any.getValue();
      try {
        switch (type) {
          case ERROR_INFO:
            if (first(SEEN_ERROR_INFO)) {
              errorInfo(ErrorInfo.parseFrom(value));
            }
            break;
          case BAD_REQUEST:
            badRequest(BadRequest.parseFrom(value));
            break;
          case RETRY_INFO:
            if (first(SEEN_RETRY_INFO)) {
              retryInfo(RetryInfo.parseFrom(value));
            }
            break;
          case QUOTA_FAILURE:
            quotaFailure(QuotaFailure.parseFrom(value));
            break;
          case PRECONDITION_FAILURE:
            preconditionFailure(PreconditionFailure.parseFrom(value));
            break;
          case RESOURCE_INFO:
            if (first(SEEN_RESOURCE_INFO)) {
              resourceInfo(ResourceInfo.parseFrom(value));
            }
            break;
          case HELP:
            help(Help.parseFrom(value));
            break;
          case LOCALIZED_MESSAGE:
            if (first(SEEN_LOCALIZED_MESSAGE)) {
              localizedMessage(value);
            }
            break;
          case REQUEST_INFO:
            if (first(SEEN_REQUEST_INFO)) {
              requestInfo(value);
            }
            break;
          case DEBUG_INFO:
            if (first(SEEN_DEBUG_INFO)) {
              debugInfo(value);
            }
            break;
          default:
            String unknown = name(type);
            if (unknown != null && listSize(context, "other_types") < MAX_ITEMS) {
              stringList(context, "other_types").add(unknown);
            }
        }
      } catch (InvalidProtocolBufferException e) {
        // One broken detail costs only itself.
        unreadable++;
      }
    }

    /**
     * True the first time a singular detail type comes: google.rpc sends each at most once, and
     * a repeated one would only overwrite the first.
     */
    private boolean first(int type) {
      boolean first = (seen & type) == 0;
      seen |= type;
      return first;
    }

    private void errorInfo(ErrorInfo info) {
      reason = name(info.getReason());
      domain = name(info.getDomain());
      put(spanData, ErrorDetails.REASON, reason);
      put(spanData, ErrorDetails.DOMAIN, domain);
      put(context, "reason", reason);
      put(context, "domain", domain);
      Map<String, String> metadata = info.getMetadataMap();
      if (metadata.isEmpty()) {
        return;
      }
      if (!allows(ErrorDetailsReader.ALLOW_ERROR_INFO_METADATA)) {
        context.put("metadata", FILTERED);
        return;
      }
      Map<String, String> kept = new LinkedHashMap<>();
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        if (kept.size() == MAX_ITEMS) {
          truncated = true;
          break;
        }
        // The same keys as in request metadata are never sent, whatever the settings.
        if (MetadataCapture.isSensitive(entry.getKey())) {
          continue;
        }
        String key = name(entry.getKey());
        String value = name(entry.getValue());
        if (key != null) {
          kept.put(key, value != null ? value : "");
        }
      }
      if (!kept.isEmpty()) {
        context.put("metadata", kept);
      }
    }

    private void badRequest(BadRequest request) {
      List<String> fields = null;
      List<Map<String, Object>> violations = null;
      for (BadRequest.FieldViolation violation : request.getFieldViolationsList()) {
        if (listSize(context, "field_violations") == MAX_ITEMS) {
          truncated = true;
          break;
        }
        String field = name(violation.getField());
        String description = text(violation.getDescription());
        if (field == null && description == null) {
          continue;
        }
        if (violations == null) {
          fields = stringList(spanData, ErrorDetails.FIELD_VIOLATIONS);
          violations = list(context, "field_violations");
        }
        if (field != null) {
          fields.add(field);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        put(entry, "field", field);
        put(entry, "description", description);
        violations.add(entry);
      }
    }

    private void retryInfo(RetryInfo info) {
      if (!info.hasRetryDelay()) {
        return;
      }
      Duration delay = info.getRetryDelay();
      long seconds = delay.getSeconds();
      int nanos = delay.getNanos();
      if (seconds < 0 || nanos < 0) {
        return; // not a delay
      }
      long millis =
          seconds > (Long.MAX_VALUE - 1_000) / 1_000
              ? Long.MAX_VALUE
              : seconds * 1_000 + nanos / 1_000_000;
      spanData.put(ErrorDetails.RETRY_DELAY_MS, millis);
      context.put("retry_delay_ms", millis);
    }

    private void quotaFailure(QuotaFailure failure) {
      for (QuotaFailure.Violation violation : failure.getViolationsList()) {
        if (listSize(context, "quota_violations") == MAX_ITEMS) {
          truncated = true;
          break;
        }
        String subject = subject(violation.getSubject());
        String description = text(violation.getDescription());
        if (subject == null && description == null) {
          continue;
        }
        if (subject != null) {
          stringList(spanData, ErrorDetails.QUOTA_SUBJECTS).add(subject);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        put(entry, "subject", subject);
        put(entry, "description", description);
        list(context, "quota_violations").add(entry);
      }
    }

    /** {@code clientip:203.0.113.7} is the caller's address: PII (CONVENTIONS.md section 4). */
    private String subject(String subject) {
      if (!allows(ErrorDetailsReader.ALLOW_CLIENT_IP)
          && subject.regionMatches(true, 0, "clientip:", 0, "clientip:".length())) {
        return name(subject.substring(0, "clientip:".length()) + FILTERED);
      }
      return name(subject);
    }

    private void preconditionFailure(PreconditionFailure failure) {
      for (PreconditionFailure.Violation violation : failure.getViolationsList()) {
        if (listSize(context, "precondition_violations") == MAX_ITEMS) {
          truncated = true;
          break;
        }
        String type = name(violation.getType());
        String subject = name(violation.getSubject());
        String description = text(violation.getDescription());
        if (type == null && subject == null && description == null) {
          continue;
        }
        if (type != null) {
          List<String> types = stringList(spanData, ErrorDetails.PRECONDITION_TYPES);
          if (!types.contains(type)) {
            types.add(type);
          }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        put(entry, "type", type);
        put(entry, "subject", subject);
        put(entry, "description", description);
        list(context, "precondition_violations").add(entry);
      }
    }

    private void resourceInfo(ResourceInfo info) {
      String type = name(info.getResourceType());
      String name = name(info.getResourceName());
      put(spanData, ErrorDetails.RESOURCE_TYPE, type);
      put(spanData, ErrorDetails.RESOURCE_NAME, name);
      Map<String, Object> resource = new LinkedHashMap<>();
      put(resource, "resource_type", type);
      put(resource, "resource_name", name);
      if (!info.getOwner().isEmpty()) {
        resource.put(
            "owner",
            allows(ErrorDetailsReader.ALLOW_RESOURCE_OWNER) ? name(info.getOwner()) : FILTERED);
      }
      put(resource, "description", text(info.getDescription()));
      if (!resource.isEmpty()) {
        context.put("resource", resource);
      }
    }

    private void help(Help help) {
      for (Help.Link link : help.getLinksList()) {
        if (listSize(context, "help_links") == MAX_ITEMS) {
          truncated = true;
          break;
        }
        String description = text(link.getDescription());
        String url = name(link.getUrl());
        if (description == null && url == null) {
          continue;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        put(entry, "description", description);
        put(entry, "url", url);
        list(context, "help_links").add(entry);
      }
    }

    private void localizedMessage(ByteString value) throws InvalidProtocolBufferException {
      if (!allows(ErrorDetailsReader.ALLOW_LOCALIZED_MESSAGE)) {
        context.put("localized_message", FILTERED);
        return;
      }
      LocalizedMessage message = LocalizedMessage.parseFrom(value);
      Map<String, Object> entry = new LinkedHashMap<>();
      put(entry, "locale", name(message.getLocale()));
      put(entry, "message", text(message.getMessage()));
      if (!entry.isEmpty()) {
        context.put("localized_message", entry);
      }
    }

    private void requestInfo(ByteString value) throws InvalidProtocolBufferException {
      if (!allows(ErrorDetailsReader.ALLOW_REQUEST_INFO)) {
        context.put("request_info", FILTERED);
        return;
      }
      RequestInfo info = RequestInfo.parseFrom(value);
      Map<String, Object> entry = new LinkedHashMap<>();
      put(entry, "request_id", name(info.getRequestId()));
      put(entry, "serving_data", text(info.getServingData()));
      if (!entry.isEmpty()) {
        context.put("request_info", entry);
      }
    }

    /**
     * The remote service's stack trace: on a client event it is the only view of where the
     * failure happened. Kept as the service wrote it, one entry per line, detail first.
     */
    private void debugInfo(ByteString value) throws InvalidProtocolBufferException {
      if (!allows(ErrorDetailsReader.ALLOW_DEBUG_INFO)) {
        context.put("debug_info", FILTERED);
        return;
      }
      DebugInfo info = DebugInfo.parseFrom(value);
      Map<String, Object> entry = new LinkedHashMap<>();
      put(entry, "detail", text(info.getDetail()));
      List<String> entries = info.getStackEntriesList();
      List<String> stack = new ArrayList<>(Math.min(entries.size(), MAX_STACK_ENTRIES));
      for (String line : entries) {
        if (stack.size() == MAX_STACK_ENTRIES) {
          truncated = true;
          break;
        }
        String kept = text(line);
        if (kept != null) {
          stack.add(kept);
        }
      }
      if (!stack.isEmpty()) {
        entry.put("stack_entries", stack);
      }
      if (!entry.isEmpty()) {
        context.put("debug_info", entry);
      }
    }

    ErrorDetails result() {
      if (unreadable > 0) {
        context.put("unreadable_details", unreadable);
      }
      if (truncated) {
        context.put("truncated", true);
      }
      if (context.isEmpty()) {
        return null;
      }
      return new ErrorDetails(reason, domain, spanData, context);
    }

    private boolean allows(int part) {
      return (allowed & part) != 0;
    }

    private String name(String value) {
      return bounded(value, MAX_NAME);
    }

    private String text(String value) {
      return bounded(value, MAX_TEXT);
    }

    /** At most {@code max} characters, and nothing once the whole budget is spent; null for "". */
    private String bounded(String value, int max) {
      if (value == null || value.isEmpty()) {
        return null;
      }
      if (budget <= ELLIPSIS.length()) {
        truncated = true;
        return null;
      }
      int limit = Math.min(max, budget);
      String kept = value;
      if (value.length() > limit) {
        int end = limit - ELLIPSIS.length();
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
          end--; // never half a character
        }
        kept = value.substring(0, end) + ELLIPSIS;
        truncated = true;
      }
      budget -= kept.length();
      return kept;
    }
  }

  /** {@code type.googleapis.com/google.rpc.ErrorInfo} names {@code google.rpc.ErrorInfo}. */
  private static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
    return (List<Map<String, Object>>) map.computeIfAbsent(key, k -> new ArrayList<>());
  }

  @SuppressWarnings("unchecked")
  private static List<String> stringList(Map<String, Object> map, String key) {
    return (List<String>) map.computeIfAbsent(key, k -> new ArrayList<>());
  }

  private static int listSize(Map<String, Object> map, String key) {
    Object list = map.get(key);
    return list instanceof List ? ((List<?>) list).size() : 0;
  }

  // ---- hand encoding for the self-test: length-delimited fields of under 128 bytes ----

  private static byte[] field(int number, byte[] value) {
    byte[] field = new byte[value.length + 2];
    field[0] = (byte) (number << 3 | 2);
    field[1] = (byte) value.length;
    System.arraycopy(value, 0, field, 2, value.length);
    return field;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.write(a, 0, a.length);
    out.write(b, 0, b.length);
    return out.toByteArray();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}

package dev.sentrygrpc.testing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code attributes} object of a log or metric item, where each attribute is {@code
 * {"type": "string" | "integer" | "double" | "boolean" | "array", "value": ...}}, into plain Java
 * values: String, Long, Double, Boolean, List.
 */
final class Attributes {
  private Attributes() {}

  static Map<String, Object> read(Object json) {
    if (!(json instanceof Map)) {
      return Collections.emptyMap();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : ((Map<?, ?>) json).entrySet()) {
      Object attribute = entry.getValue();
      Object value = attribute;
      String type = null;
      if (attribute instanceof Map) {
        value = ((Map<?, ?>) attribute).get("value");
        Object typeName = ((Map<?, ?>) attribute).get("type");
        type = typeName == null ? null : typeName.toString();
      }
      values.put(String.valueOf(entry.getKey()), typed(type, value));
    }
    return Collections.unmodifiableMap(values);
  }

  /** JSON numbers come back as whatever fits; the attribute's own type says which it was. */
  private static Object typed(String type, Object value) {
    if (value instanceof Number) {
      Number number = (Number) value;
      if ("integer".equals(type)) {
        return number.longValue();
      }
      if ("double".equals(type)) {
        return number.doubleValue();
      }
    }
    return value;
  }

  static String string(Map<?, ?> json, String key) {
    Object value = json.get(key);
    return value == null ? null : value.toString();
  }

  static double number(Map<?, ?> json, String key, double otherwise) {
    Object value = json.get(key);
    return value instanceof Number ? ((Number) value).doubleValue() : otherwise;
  }
}

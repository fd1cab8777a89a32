package dev.ocomms.bench;

import java.util.Map;

/** A scenario's {@code --name value} options, with defaults. */
record Options(Map<String, String> values) {
  int integer(String name, int fallback) {
    return Integer.parseInt(values.getOrDefault(name, String.valueOf(fallback)));
  }

  double decimal(String name, double fallback) {
    return Double.parseDouble(values.getOrDefault(name, String.valueOf(fallback)));
  }

  String text(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  boolean has(String name) {
    return values.containsKey(name);
  }
}

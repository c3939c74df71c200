package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Reading shipped YAML files (compose, Kubernetes) in tests: every document a mapping. */
final class YamlDocs {
  private YamlDocs() {}

  /** Every document of {@code file}; each must be a mapping. */
  static List<Map<String, Object>> load(Path file) throws IOException {
    var out = new ArrayList<Map<String, Object>>();
    int i = 0;
    for (var doc : new Yaml().loadAll(Files.readString(file))) {
      i++;
      assertNotNull(doc, file + ": document " + i + " is empty");
      out.add(map(doc, file + ": document " + i));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    assertInstanceOf(Map.class, o, what + " must be a mapping");
    return (Map<String, Object>) o;
  }

  static List<Map<String, Object>> maps(Object o) {
    var out = new ArrayList<Map<String, Object>>();
    if (o == null) return out;
    assertInstanceOf(List.class, o, "expected a list");
    for (var e : (List<?>) o) out.add(map(e, "list item"));
    return out;
  }

  /** A list of scalars as strings; absent: empty. */
  static List<String> strings(Object o) {
    var out = new ArrayList<String>();
    if (o == null) return out;
    assertInstanceOf(List.class, o, "expected a list, got " + o);
    for (var e : (List<?>) o) out.add(String.valueOf(e));
    return out;
  }
}

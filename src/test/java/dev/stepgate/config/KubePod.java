package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Deployment of a shipped Kubernetes file, with the documents around it: the stepgate
 * container (the one that runs {@code run}), what its volumes mount, which Services select it.
 */
record KubePod(Path file, List<Map<String, Object>> docs, Map<String, Object> deployment) {

  static List<KubePod> all(Path file) throws IOException {
    var docs = YamlDocs.load(file);
    var pods = docs.stream().filter(d -> "Deployment".equals(d.get("kind"))).map(d -> new KubePod(file, docs, d)).toList();
    assertTrue(!pods.isEmpty(), file + " has no Deployment");
    return pods;
  }

  String name() {
    return String.valueOf(YamlDocs.map(deployment.get("metadata"), "metadata").get("name"));
  }

  int replicas() {
    return ((Number) YamlDocs.map(deployment.get("spec"), "spec").getOrDefault("replicas", 1)).intValue();
  }

  Map<String, Object> template() {
    return YamlDocs.map(YamlDocs.map(deployment.get("spec"), "spec").get("template"), name() + " template");
  }

  Map<String, Object> spec() {
    return YamlDocs.map(template().get("spec"), name() + " pod spec");
  }

  Map<String, Object> labels() {
    return YamlDocs.map(YamlDocs.map(template().get("metadata"), "template metadata").get("labels"), "labels");
  }

  List<Map<String, Object>> containers() {
    return YamlDocs.maps(spec().get("containers"));
  }

  /** The container that runs {@code stepgate run}; exactly one. */
  Map<String, Object> stepgate() {
    var runs = containers().stream().filter(c -> {
      var args = YamlDocs.strings(c.get("args"));
      return !args.isEmpty() && args.get(0).equals("run");
    }).toList();
    assertEquals(1, runs.size(), file + ": containers running `stepgate run` in " + name());
    return runs.get(0);
  }

  /** stepgate's config as {@code stepgate run --config} reads it, with the container's env. */
  GatewayConfig config() {
    var args = YamlDocs.strings(stepgate().get("args"));
    var path = args.get(args.indexOf("--config") + 1);
    var env = YamlDocs.maps(stepgate().get("env"));
    return ConfigLoader.parse(file, mountedText(stepgate(), path), name -> env.stream()
        .filter(e -> name.equals(e.get("name"))).findFirst().map(e -> {
          if (e.containsKey("value")) return String.valueOf(e.get("value"));
          var ref = YamlDocs.map(YamlDocs.map(e.get("valueFrom"), name).get("secretKeyRef"), name + " secretKeyRef");
          assertNotNull(ref.get("name"), name + ": secretKeyRef without a name");
          assertNotNull(ref.get("key"), name + ": secretKeyRef without a key");
          var value = DeploymentExamplesTest.TEST_SECRETS.get(name);
          return value != null ? value : fail(file + ": no test value for the secret env " + name);
        }).orElse(null));
  }

  /** The ConfigMap entry a container sees at {@code path} (a configMap volume, no items). */
  String mountedText(Map<String, Object> container, String path) {
    for (var m : YamlDocs.maps(container.get("volumeMounts"))) {
      var at = String.valueOf(m.get("mountPath"));
      if (!path.startsWith(at + "/")) continue;
      var volume = volume(String.valueOf(m.get("name")));
      if (!volume.containsKey("configMap")) continue;
      var cm = String.valueOf(YamlDocs.map(volume.get("configMap"), "configMap").get("name"));
      var data = YamlDocs.map(doc("ConfigMap", cm).get("data"), "ConfigMap " + cm + " data");
      var key = path.substring(at.length() + 1);
      assertTrue(data.containsKey(key), file + ": ConfigMap " + cm + " has no " + key + " (mounted at " + path + ")");
      return String.valueOf(data.get(key));
    }
    return fail(file + ": no ConfigMap is mounted at " + path + " in container " + container.get("name"));
  }

  /** The mountPath of a writable emptyDir or PVC mount holding {@code path}. */
  Optional<String> writableMount(Map<String, Object> container, String path) {
    return YamlDocs.maps(container.get("volumeMounts")).stream()
        .filter(m -> (path.equals(m.get("mountPath")) || path.startsWith(m.get("mountPath") + "/"))
            && !Boolean.TRUE.equals(m.get("readOnly")))
        .filter(m -> {
          var v = volume(String.valueOf(m.get("name")));
          return v.containsKey("emptyDir") || v.containsKey("persistentVolumeClaim");
        })
        .map(m -> String.valueOf(m.get("mountPath"))).findFirst();
  }

  /** The port a Service's targetPort or a probe's port names in {@code container}. */
  int containerPort(Map<String, Object> container, Object port) {
    for (var p : YamlDocs.maps(container.get("ports"))) {
      if (port instanceof Number n && n.intValue() == ((Number) p.get("containerPort")).intValue()) return n.intValue();
      if (port instanceof String s && s.equals(p.get("name"))) return ((Number) p.get("containerPort")).intValue();
    }
    return fail(file + ": container " + container.get("name") + " has no port " + port);
  }

  /** The Services whose selector picks this pod. */
  List<Map<String, Object>> services() {
    return docs.stream().filter(d -> "Service".equals(d.get("kind")))
        .filter(d -> selects(YamlDocs.map(YamlDocs.map(d.get("spec"), "Service spec").get("selector"), "selector")))
        .toList();
  }

  /** Whether a document of {@code kind} (PodDisruptionBudget, ...) selects this pod by matchLabels. */
  boolean selectedBy(String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).anyMatch(d -> selects(YamlDocs.map(
        YamlDocs.map(YamlDocs.map(d.get("spec"), kind + " spec").get("selector"), "selector").get("matchLabels"), "matchLabels")));
  }

  private boolean selects(Map<String, Object> selector) {
    return !selector.isEmpty() && labels().entrySet().containsAll(selector.entrySet());
  }

  private Map<String, Object> volume(String name) {
    return YamlDocs.maps(spec().get("volumes")).stream().filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseGet(() -> fail(file + ": no volume " + name));
  }

  private Map<String, Object> doc(String kind, String name) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))
        && name.equals(YamlDocs.map(d.get("metadata"), "metadata").get("name"))).findFirst()
        .orElseGet(() -> fail(file + ": no " + kind + " " + name));
  }
}

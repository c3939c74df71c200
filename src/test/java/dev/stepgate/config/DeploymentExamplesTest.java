package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.policy.PolicyParser;
import dev.stepgate.proxy.ForwardAuth;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment examples nobody runs here (no Docker engine, no cluster) still agree with
 * stepgate and with each other: every YAML document parses; the stepgate configs and policies
 * in them load as {@code stepgate run} would load them; and the references between files that
 * drift when one is edited alone (service names, addresses, ports, secrets, probe paths) match.
 */
class DeploymentExamplesTest {
  static final Path DOCKER = Path.of("docker");
  static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  static final Path CLUSTER_NGINX = DOCKER.resolve("cluster/nginx.conf");
  static final List<Path> KUBERNETES =
      List.of(DOCKER.resolve("kubernetes/sidecar.yaml"), DOCKER.resolve("kubernetes/two-replicas.yaml"));
  /** Stand-ins for the Secrets the Kubernetes examples tell the operator to create. */
  static final Map<String, String> TEST_SECRETS = Map.of(
      "STEPGATE_ADMIN_TOKEN", "test-admin-token-0123456789abcdef0123",
      "STEPGATE_POSTGRES_URL", "postgresql://stepgate:pw@postgres.db:5432/stepgate?sslmode=verify-full",
      "STEPGATE_REDIS_URL", "rediss://:pw@redis.cache:6379");

  @TempDir Path tmp;

  // --- docker/compose.yaml -----------------------------------------------------------------------

  @Test
  void everyExampleFile_parsesAsYaml_documentByDocument() throws IOException {
    for (var file : List.of(COMPOSE, DOCKER.resolve("cluster/config.yaml"), KUBERNETES.get(0), KUBERNETES.get(1)))
      assertFalse(YamlDocs.load(file).isEmpty(), file + " has no documents");
  }

  @Test
  void compose_everyServiceHasAProfile_andDependsOnlyOnServicesItsProfilesStart() throws IOException {
    var services = composeServices();
    for (var e : services.entrySet()) {
      var profiles = YamlDocs.strings(e.getValue().get("profiles"));
      // An unprofiled service would start with every --profile, the cluster's too.
      assertFalse(profiles.isEmpty(), "service " + e.getKey() + " has no profiles");
      for (var dep : dependsOn(e.getValue()).keySet()) {
        assertTrue(services.containsKey(dep), e.getKey() + " depends_on " + dep + ", which is not a service");
        var depProfiles = YamlDocs.strings(services.get(dep).get("profiles"));
        for (var p : profiles)
          assertTrue(depProfiles.contains(p), e.getKey() + " depends_on " + dep + ", which profile " + p + " does not start");
      }
    }
  }

  @Test
  void clusterNodes_loadTheirConfig_shareOnePublicUrl_andReachWhatTheyDependOn() throws IOException {
    var services = composeServices();
    var nodes = clusterNodes(services);
    assertTrue(nodes.size() >= 2, "the cluster profile has fewer than two stepgate nodes: " + nodes.keySet());
    var lb = loadBalancer(services);
    var lbAddress = (String) YamlDocs.map(YamlDocs.map(lb.getValue().get("networks"), "lb networks")
        .get("internal"), "lb internal network").get("ipv4_address");
    var published = YamlDocs.strings(lb.getValue().get("ports")).get(0).split(":")[0];
    var publicUrls = new TreeSet<String>();
    for (var node : nodes.entrySet()) {
      var name = node.getKey();
      var config = nodeConfig(node.getValue());
      publicUrls.add(config.publicUrl().toString());
      assertEquals("http://localhost:" + published, config.publicOrigin(), name + ": public_url is not the lb's port");
      assertEquals(GatewayConfig.StorageDriver.POSTGRES, config.storage().driver(), name + ": storage.driver");
      assertEquals(GatewayConfig.SessionDriver.REDIS, config.sessions().driver(), name + ": sessions.driver");
      assertTrue(config.trustedProxies().stream().anyMatch(c -> c.contains(lbAddress)),
          name + ": the lb's address " + lbAddress + " is not in trusted_proxies " + config.trustedProxies());
      // Everyone trusted may ask for forward-auth decisions: one address per proxy, nothing broader.
      assertTrue(config.trustedProxies().stream().allMatch(c -> c.prefix() == 32), name + ": trusted_proxies " + config.trustedProxies());
      assertTrue(YamlDocs.strings(node.getValue().get("expose")).contains(String.valueOf(config.listen().port())),
          name + " does not expose its listen port " + config.listen().port());
      var policies = PolicyFiles.read(mountedFile(node.getValue(), config.policies().toString()));
      PolicyParser.parse(policies, config.upstreamCaseInsensitive());

      var deps = dependsOn(node.getValue());
      var app = config.upstream();
      assertTrue(deps.containsKey(app.getHost()), name + ": upstream " + app + " is not a service it depends on");
      assertEquals(Optional.of("0.0.0.0:" + app.getPort()),
          listenArg(YamlDocs.strings(services.get(app.getHost()).get("command"))), app.getHost() + " --listen");

      assertBackendsAreTheServices(name, config, services);
    }
    assertEquals(1, publicUrls.size(), "the nodes' public_url differ: " + publicUrls);
  }

  @Test
  void loadBalancer_proxiesToExactlyTheClusterNodes_andSetsTheHeadersTheyTrust() throws IOException {
    var services = composeServices();
    var nodes = clusterNodes(services);
    var conf = Files.readString(CLUSTER_NGINX).replaceAll("(?m)#.*$", "");
    var upstreams = new LinkedHashMap<String, Set<String>>();
    var block = Pattern.compile("upstream\\s+(\\S+)\\s*\\{([^}]*)}").matcher(conf);
    while (block.find()) {
      var servers = new TreeSet<String>();
      var server = Pattern.compile("server\\s+([A-Za-z0-9.-]+:\\d+)").matcher(block.group(2));
      while (server.find()) servers.add(server.group(1));
      upstreams.put(block.group(1), servers);
    }
    var expected = new TreeSet<String>();
    for (var node : nodes.entrySet()) expected.add(node.getKey() + ":" + nodeConfig(node.getValue()).listen().port());
    var passes = Pattern.compile("proxy_pass\\s+http://([^/;\\s]+)").matcher(conf);
    var passed = 0;
    while (passes.find()) {
      passed++;
      assertTrue(upstreams.containsKey(passes.group(1)), "proxy_pass to " + passes.group(1) + ", not an upstream block");
      assertEquals(expected, upstreams.get(passes.group(1)), "upstream " + passes.group(1) + " vs the cluster's nodes");
    }
    assertTrue(passed > 0, CLUSTER_NGINX + " proxies nowhere");
    for (var header : List.of("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Upgrade", "Connection"))
      assertTrue(Pattern.compile("proxy_set_header\\s+" + header + "\\s").matcher(conf).find(), "lb does not set " + header);
    // The nodes trust the lb, so a client's own forward-auth call must not get through it.
    assertTrue(Pattern.compile("location\\s*=\\s*" + Pattern.quote(ForwardAuth.PATH) + "\\s*\\{\\s*return\\s+404;")
        .matcher(conf).find(), "lb passes clients' calls to " + ForwardAuth.PATH);
  }

  @Test
  void loadBalancerConfig_passesNginxTest() throws Exception {
    var nginx = Arrays.stream((System.getenv().getOrDefault("PATH", "") + ":/usr/sbin").split(":"))
        .map(d -> Path.of(d, "nginx")).filter(Files::isExecutable).findFirst()
        .orElseGet(() -> fail("nginx is not installed (scripts/test installs it): cannot check " + CLUSTER_NGINX));
    var names = clusterNodes(composeServices()).keySet();
    var conf = Files.readString(CLUSTER_NGINX);
    // The compose service names resolve only on the compose network.
    for (var name : names) conf = conf.replaceAll("(server\\s+)" + Pattern.quote(name) + ":", "$1127.0.0.1:");
    conf = conf.replaceFirst("http\\s*\\{", "http {\n" + tempPaths(tmp));
    var copy = tmp.resolve("nginx.conf");
    Files.writeString(copy, conf);
    var p = new ProcessBuilder(nginx.toString(), "-t", "-p", tmp + "/", "-c", copy.toString(), "-e",
        tmp.resolve("error.log").toString(), "-g", "pid " + tmp.resolve("nginx.pid") + ";").redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "nginx -t did not finish");
    var out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.exitValue(), "nginx -t " + CLUSTER_NGINX + ":\n" + out);
  }

  @Test
  void composeHealthchecks_askPathsStepgateServes() throws IOException {
    var routes = gatewayRoutes();
    var checked = 0;
    for (var e : composeServices().entrySet()) {
      var test = String.join(" ", YamlDocs.strings(YamlDocs.map(e.getValue().getOrDefault("healthcheck", Map.of()),
          e.getKey() + " healthcheck").get("test")));
      var path = Pattern.compile("/\\.stepgate/[A-Za-z0-9_-]+").matcher(test);
      while (path.find()) {
        checked++;
        assertTrue(routes.contains(path.group()), e.getKey() + "'s healthcheck asks " + path.group() + ": not a route");
      }
    }
    assertTrue(checked >= 2, "the nodes' healthchecks no longer ask stepgate");
  }

  // --- docker/kubernetes -----------------------------------------------------------------------

  @Test
  void kubernetes_stepgateConfigAndPolicies_loadFromTheConfigMapTheContainerMounts() throws IOException {
    for (var file : KUBERNETES)
      for (var pod : KubePod.all(file)) {
        var config = pod.config();
        var policies = tmp.resolve(file.getFileName() + "-" + pod.name() + "-policies.yaml");
        Files.writeString(policies, pod.mountedText(pod.stepgate(), config.policies().toString()));
        PolicyParser.parse(PolicyFiles.read(policies), config.upstreamCaseInsensitive());
      }
  }

  @Test
  void kubernetes_serviceAndProbes_reachStepgatesListenPort_onPathsStepgateServes() throws IOException {
    var routes = gatewayRoutes();
    for (var file : KUBERNETES)
      for (var pod : KubePod.all(file)) {
        var port = pod.config().listen().port();
        var services = pod.services();
        assertFalse(services.isEmpty(), file + ": no Service selects " + pod.name());
        for (var service : services)
          for (var sp : YamlDocs.maps(YamlDocs.map(service.get("spec"), "Service spec").get("ports")))
            assertEquals(port, pod.containerPort(pod.stepgate(), sp.get("targetPort")),
                file + ": Service targetPort " + sp.get("targetPort") + " is not stepgate's listen port");
        var probes = Map.of("readinessProbe", "/readyz", "livenessProbe", "/healthz", "startupProbe", "");
        for (var probe : probes.entrySet()) {
          if (!pod.stepgate().containsKey(probe.getKey())) {
            assertTrue(probe.getValue().isEmpty(), file + ": stepgate has no " + probe.getKey());
            continue;
          }
          var get = YamlDocs.map(YamlDocs.map(pod.stepgate().get(probe.getKey()), probe.getKey()).get("httpGet"), "httpGet");
          var path = (String) get.get("path");
          assertTrue(routes.contains(path) && path.endsWith(probe.getValue()), file + ": " + probe.getKey() + " " + path);
          assertEquals(port, pod.containerPort(pod.stepgate(), get.get("port")), file + ": " + probe.getKey() + " port");
        }
      }
  }

  @Test
  void kubernetes_appListensOnLoopbackOnly_andIsStepgatesUpstream() throws IOException {
    for (var file : KUBERNETES)
      for (var pod : KubePod.all(file)) {
        var upstream = pod.config().upstream();
        assertEquals("127.0.0.1", upstream.getHost(), file + ": upstream is not the pod's loopback");
        var apps = pod.containers().stream().filter(c -> c != pod.stepgate()).toList();
        assertFalse(apps.isEmpty(), file + ": no app container beside stepgate");
        for (var app : apps) {
          assertEquals(Optional.of("127.0.0.1:" + upstream.getPort()), listenArg(YamlDocs.strings(app.get("args"))),
              file + ": container " + app.get("name") + " must listen on the upstream's 127.0.0.1 port");
          assertFalse(app.containsKey("ports"), file + ": container " + app.get("name") + " declares ports");
        }
      }
  }

  @Test
  void kubernetes_podsRunAsTheImagesNonRootUser_readOnly_withLimits_andStateFitsTheReplicas() throws IOException {
    var uid = dockerfileUser();
    for (var file : KUBERNETES)
      for (var pod : KubePod.all(file)) {
        var security = YamlDocs.map(pod.spec().get("securityContext"), "pod securityContext");
        assertEquals(true, security.get("runAsNonRoot"), file + ": runAsNonRoot");
        assertEquals(uid, security.get("runAsUser"), file + ": runAsUser vs the Dockerfile's USER");
        for (var c : pod.containers()) {
          var cs = YamlDocs.map(c.get("securityContext"), c.get("name") + " securityContext");
          assertEquals(true, cs.get("readOnlyRootFilesystem"), file + ": " + c.get("name") + " readOnlyRootFilesystem");
          assertEquals(false, cs.get("allowPrivilegeEscalation"), file + ": " + c.get("name") + " allowPrivilegeEscalation");
          var resources = YamlDocs.map(c.get("resources"), c.get("name") + " resources");
          for (var kind : List.of("requests", "limits"))
            assertEquals(Set.of("cpu", "memory"), YamlDocs.map(resources.get(kind), kind).keySet(), file + ": " + c.get("name") + " " + kind);
          assertTrue(pod.writableMount(c, "/tmp/x").isPresent(), file + ": " + c.get("name") + " has no writable /tmp (the JVM needs one)");
        }
        var config = pod.config();
        if (config.storage().driver() == GatewayConfig.StorageDriver.EMBEDDED) {
          assertEquals(1, pod.replicas(), file + ": embedded storage is one node's");
          var mount = pod.writableMount(pod.stepgate(), config.storage().path().toString());
          assertTrue(mount.isPresent(), file + ": storage.path is not on a writable volume");
          // stepgate refuses a data directory others may read; a volume's root usually is one.
          assertNotEquals(Path.of(mount.get()), config.storage().path(), file + ": storage.path is a volume's root");
        } else {
          assertEquals(GatewayConfig.SessionDriver.REDIS, config.sessions().driver(), file + ": postgres without redis");
        }
        if (pod.replicas() > 1) {
          assertEquals(GatewayConfig.StorageDriver.POSTGRES, config.storage().driver(), file + ": several replicas");
          assertTrue(pod.selectedBy("PodDisruptionBudget"), file + ": no PodDisruptionBudget selects " + pod.name());
        }
      }
    assertEquals(2, KubePod.all(KUBERNETES.get(1)).get(0).replicas(), "two-replicas.yaml's replicas");
  }

  /**
   * storage.url and sessions.url name services the node waits for (healthy), with the user,
   * password and database those services are started with.
   */
  static void assertBackendsAreTheServices(String name, GatewayConfig config, Map<String, Map<String, Object>> services) {
    var deps = dependsOn(services.get(name));
    var pg = URI.create(config.storage().url().orElseThrow());
    var postgres = services.get(pg.getHost());
    assertEquals("service_healthy", deps.get(pg.getHost()), name + ": depends_on " + pg.getHost());
    var pgEnv = environment(postgres);
    assertEquals(pgEnv.get("POSTGRES_USER") + ":" + pgEnv.get("POSTGRES_PASSWORD"), pg.getUserInfo(),
        name + ": storage.url's user and password are not the postgres service's");
    assertEquals("/" + pgEnv.get("POSTGRES_DB"), pg.getPath(), name + ": storage.url's database");
    assertTrue(postgres.containsKey("healthcheck"), pg.getHost() + " has no healthcheck");

    var redis = config.sessions().url().orElseThrow();
    var redisHost = redis.hosts().get(0).split(":")[0];
    assertEquals("service_healthy", deps.get(redisHost), name + ": depends_on " + redisHost);
    var command = YamlDocs.strings(services.get(redisHost).get("command"));
    assertEquals(redis.password(), Optional.of(composeDefault(command.get(command.indexOf("--requirepass") + 1))),
        name + ": sessions.url's password is not redis's --requirepass");
    assertTrue(services.get(redisHost).containsKey("healthcheck"), redisHost + " has no healthcheck");
  }

  // --- helpers -----------------------------------------------------------------------------------

  /** The paths {@code GatewayRoutes} registers, read from its source so they are written once. */
  static Set<String> gatewayRoutes() throws IOException {
    var source = Files.readString(Path.of("src/main/java/dev/stepgate/server/GatewayRoutes.java"));
    var m = Pattern.compile("router\\.get\\(\"(/\\.stepgate/[^\"]+)\"\\)").matcher(source);
    var routes = new TreeSet<String>();
    while (m.find()) routes.add(m.group(1));
    assertFalse(routes.isEmpty(), "no router.get(\"/.stepgate/...\") in GatewayRoutes.java");
    return routes;
  }

  /** The uid of the final stage's USER; the image must be multi-stage and not run as root. */
  static int dockerfileUser() throws IOException {
    var lines = Files.readAllLines(DOCKER.resolve("Dockerfile"));
    var from = lines.stream().filter(l -> l.startsWith("FROM ")).count();
    assertTrue(from >= 2 && lines.stream().anyMatch(l -> l.startsWith("COPY --from=")), "Dockerfile is not multi-stage");
    var last = lines.stream().filter(l -> l.startsWith("FROM ")).reduce((a, b) -> b).orElseThrow();
    var user = lines.subList(lines.lastIndexOf(last), lines.size()).stream().filter(l -> l.startsWith("USER "))
        .reduce((a, b) -> b).orElseGet(() -> fail("the final stage has no USER: it runs as root"));
    var name = user.substring(5).trim().split(":")[0];
    // Numeric, or Kubernetes' runAsNonRoot cannot verify the image without a runAsUser.
    assertTrue(name.matches("\\d+"), "the final stage's USER is not numeric: " + name);
    var uid = Integer.parseInt(name);
    assertNotEquals(0, uid, "the image runs as root");
    return uid;
  }

  static Map<String, Map<String, Object>> composeServices() throws IOException {
    var docs = YamlDocs.load(COMPOSE);
    assertEquals(1, docs.size(), COMPOSE + " documents");
    var out = new LinkedHashMap<String, Map<String, Object>>();
    for (var e : YamlDocs.map(docs.get(0).get("services"), "services").entrySet())
      out.put(e.getKey(), YamlDocs.map(e.getValue(), "service " + e.getKey()));
    return out;
  }

  /** The cluster profile's services that run {@code stepgate run}. */
  static Map<String, Map<String, Object>> clusterNodes(Map<String, Map<String, Object>> services) {
    var out = new LinkedHashMap<String, Map<String, Object>>();
    services.forEach((name, s) -> {
      var command = YamlDocs.strings(s.get("command"));
      if (YamlDocs.strings(s.get("profiles")).contains("cluster") && !command.isEmpty() && command.get(0).equals("run"))
        out.put(name, s);
    });
    return out;
  }

  static Map.Entry<String, Map<String, Object>> loadBalancer(Map<String, Map<String, Object>> services) {
    var lbs = services.entrySet().stream().filter(e -> YamlDocs.strings(e.getValue().get("volumes")).stream()
        .anyMatch(v -> DOCKER.resolve(v.split(":")[0]).normalize().equals(CLUSTER_NGINX))).toList();
    assertEquals(1, lbs.size(), "services mounting " + CLUSTER_NGINX + ": " + lbs);
    return lbs.get(0);
  }

  /** The node's config file, loaded with the environment compose gives the node. */
  static GatewayConfig nodeConfig(Map<String, Object> node) throws IOException {
    var command = YamlDocs.strings(node.get("command"));
    var file = mountedFile(node, command.get(command.indexOf("--config") + 1));
    var env = environment(node);
    return ConfigLoader.parse(file, Files.readString(file), env::get);
  }

  /** The host file behind {@code containerPath} in the service's volumes. */
  static Path mountedFile(Map<String, Object> service, String containerPath) {
    for (var v : YamlDocs.strings(service.get("volumes"))) {
      var parts = v.split(":");
      if (parts.length >= 2 && parts[1].equals(containerPath)) {
        var host = DOCKER.resolve(parts[0]).normalize();
        assertTrue(Files.isRegularFile(host), host + " (mounted at " + containerPath + ") does not exist");
        return host;
      }
    }
    return fail("nothing is mounted at " + containerPath);
  }

  /** The service's environment, with compose's {@code ${VAR:-default}} taken at its default. */
  static Map<String, String> environment(Map<String, Object> service) {
    var out = new LinkedHashMap<String, String>();
    YamlDocs.map(service.getOrDefault("environment", Map.of()), "environment")
        .forEach((k, v) -> out.put(k, composeDefault(String.valueOf(v))));
    return out;
  }

  static String composeDefault(String value) {
    var m = Pattern.compile("\\$\\{(\\w+)(?::?-([^}]*))?}").matcher(value);
    var sb = new StringBuilder();
    while (m.find()) {
      if (m.group(2) == null) fail("compose variable " + m.group(1) + " has no default");
      m.appendReplacement(sb, m.group(2));
    }
    return m.appendTail(sb).toString();
  }

  /** {@code service.depends_on} as name to condition (list form: service_started). */
  static Map<String, String> dependsOn(Map<String, Object> service) {
    var raw = service.get("depends_on");
    var out = new LinkedHashMap<String, String>();
    if (raw instanceof List<?> list) list.forEach(d -> out.put(String.valueOf(d), "service_started"));
    else if (raw != null) YamlDocs.map(raw, "depends_on").forEach((k, v) ->
        out.put(k, String.valueOf(YamlDocs.map(v, "depends_on." + k).getOrDefault("condition", "service_started"))));
    return out;
  }

  static Optional<String> listenArg(List<String> args) {
    int i = args.indexOf("--listen");
    return i < 0 || i + 1 >= args.size() ? Optional.empty() : Optional.of(args.get(i + 1));
  }

  /** nginx's temp directories in {@code dir}: the compiled-in ones may not be writable here. */
  static String tempPaths(Path dir) {
    return List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi").stream()
        .map(t -> "  " + t + "_temp_path " + dir.resolve(t) + ";")
        .collect(Collectors.joining("\n", "", "\n"));
  }
}

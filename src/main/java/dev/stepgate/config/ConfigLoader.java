package dev.stepgate.config;

import dev.stepgate.config.GatewayConfig.Account;
import dev.stepgate.ratelimit.Limits;
import dev.stepgate.ratelimit.Rate;
import dev.stepgate.config.GatewayConfig.Assertion;
import dev.stepgate.config.GatewayConfig.Attestation;
import dev.stepgate.config.GatewayConfig.FirstEnrollment;
import dev.stepgate.config.GatewayConfig.HostPort;
import dev.stepgate.config.GatewayConfig.Identity;
import dev.stepgate.config.GatewayConfig.IdentitySource;
import dev.stepgate.config.GatewayConfig.Proxy;
import dev.stepgate.config.GatewayConfig.Registration;
import dev.stepgate.config.GatewayConfig.SessionDriver;
import dev.stepgate.config.GatewayConfig.Sessions;
import dev.stepgate.config.GatewayConfig.Storage;
import dev.stepgate.config.GatewayConfig.StorageDriver;
import dev.stepgate.config.GatewayConfig.Tls;
import dev.stepgate.config.GatewayConfig.UserVerification;
import dev.stepgate.config.GatewayConfig.WebAuthn;
import dev.stepgate.config.GatewayConfig.Whoami;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a gateway config file (SPEC section 2): parse YAML with positions, check
 * every section collecting all problems, then build the immutable {@link GatewayConfig}.
 */
public final class ConfigLoader {
  public static final String DEFAULT_LISTEN = "0.0.0.0:8080";
  public static final String DEFAULT_PUBLIC_URL = "http://localhost:8080";
  public static final String DEFAULT_POLICIES = "./policies";
  public static final String DEFAULT_STORAGE_PATH = "./data";
  public static final String DEFAULT_ADMIN_LISTEN = "127.0.0.1:9090";
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(12);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
  public static final int DEFAULT_HELD_REQUEST_MAX = 64 * 1024;
  public static final int DEFAULT_HELD_REQUESTS_PER_SESSION = 3;
  public static final long DEFAULT_HELD_REQUESTS_MAX_BYTES = 32L << 20;
  public static final int DEFAULT_POOL_SIZE = 64;
  /** nginx's client_header_timeout is 60s; a browser sends its head in one packet, so 10s is ample. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Longer than the 60s idle timeout of common load balancers (AWS ALB, GCP), so the balancer
   * closes an idle connection first and never sends a request on one the gateway is closing.
   */
  public static final Duration DEFAULT_CONNECTION_IDLE_TIMEOUT = Duration.ofSeconds(75);
  /** nginx's client_body_timeout: a minute without one byte of an upload is a dead upload. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 256;
  /**
   * Longer than almost any request, and well inside Kubernetes' default 30s between SIGTERM and
   * SIGKILL, leaving room for a preStop delay while the load balancer stops sending.
   */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_KEY_GRACE = Duration.ofHours(24);
  public static final Duration DEFAULT_WHOAMI_CACHE = Duration.ofSeconds(60);
  public static final Duration DEFAULT_ACCOUNT_STEP_UP_MAX_AGE = Duration.ofMinutes(5);
  static final Set<String> COMPAT_FAMILIES = Set.of("authelia", "oauth2-proxy");

  private static final Set<String> TOP =
      Set.of(
          "listen", "public_url", "upstream", "upstream_case_insensitive", "policies", "webauthn",
          "registration", "storage", "sessions", "admin_listen", "admin_token", "trusted_proxies",
          "tls", "identity", "proxy", "assertion", "account", "limits", "log",
          "audit", "notifications");

  private ConfigLoader() {}

  /** Loads {@code file}; throws {@link ConfigException} listing every problem found. */
  public static GatewayConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read config file (" + reason(e) + ")"));
    }
    return parse(file, text, System::getenv);
  }

  /** Parses config {@code text} that came from {@code file}, reading {@code ${VAR}} from env. */
  public static GatewayConfig parse(Path file, String text, Function<String, String> env) {
    var problems = new ArrayList<String>();
    var yaml = new YamlTree(file.toString(), problems, env);
    var root = yaml.root(text);
    if (root.isEmpty()) throw new ConfigException(problems);
    var config = new Reader(yaml, problems, file).config(root.get());
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return config;
  }

  /** The config of {@code stepgate demo}: defaults in front of {@code upstream}. */
  public static GatewayConfig demo(URI upstream, Path policies, Path storage, int port) {
    var yaml =
        "listen: 127.0.0.1:" + port + "\n"
            + "public_url: http://localhost:" + port + "\n"
            + "upstream: " + upstream + "\n"
            + "policies: " + policies + "\n"
            + "storage: { path: " + storage + " }\n"
            + "admin_listen: 127.0.0.1:0\n";
    return parse(Path.of("(demo)"), yaml, name -> null);
  }

  /**
   * The config of {@code stepgate demo --bolt-on} (SPEC section 8): the demo app keeps its own
   * password login, stepgate asks its {@code /api/me} who the caller is and adds passkey step-up.
   */
  public static GatewayConfig demoBoltOn(URI upstream, Path policies, Path storage, int port) {
    return parse(Path.of("(demo --bolt-on)"), demoBoltOnYaml(upstream, policies, storage, port), name -> null);
  }

  /** The text {@link #demoBoltOn} parses: {@link #demo}'s plus the identity section. */
  static String demoBoltOnYaml(URI upstream, Path policies, Path storage, int port) {
    return "listen: 127.0.0.1:" + port + "\n"
        + "public_url: http://localhost:" + port + "\n"
        + "upstream: " + upstream + "\n"
        + "policies: " + policies + "\n"
        + "storage: { path: " + storage + " }\n"
        + "admin_listen: 127.0.0.1:0\n"
        + "identity:\n"
        + "  source: upstream\n"
        + "  whoami: { path: /api/me, username: /user/email, groups: /user/roles, session_cookies: [ACMESESSION], cache: 60s }\n"
        + "  first_enrollment: on_step_up\n";
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName();
  }

  /** One pass over the document; each section checked on its own, problems collected. */
  private static final class Reader {
    private final YamlTree yaml;
    private final List<String> problems;
    private final Path file;

    Reader(YamlTree yaml, List<String> problems, Path file) {
      this.yaml = yaml;
      this.problems = problems;
      this.file = file;
    }

    GatewayConfig config(MappingNode root) {
      var e = yaml.entries(root, "", TOP);
      var listen = opt(e, "listen", Values::hostPort).orElse(Values.hostPort(DEFAULT_LISTEN));
      var publicUrl =
          opt(e, "public_url", ConfigLoader::publicUrl).orElse(URI.create(DEFAULT_PUBLIC_URL));
      Optional<URI> upstream = opt(e, "upstream", ConfigLoader::upstream);
      if (!e.containsKey("upstream"))
        problems.add(file + ":1:1: upstream: required (the URL of the app behind the gateway)");
      var caseInsensitive = opt(e, "upstream_case_insensitive", Values::bool).orElse(false);
      var policies = opt(e, "policies", Path::of).orElse(Path.of(DEFAULT_POLICIES));
      var webauthn = webauthn(e.get("webauthn"), publicUrl);
      var registration =
          opt(e, "registration", t -> Values.choice(t, Registration.class)).orElse(Registration.OPEN);
      var storage = storage(e.get("storage"));
      var sessions = sessions(e.get("sessions"));
      var admin = opt(e, "admin_listen", Values::hostPort).orElse(Values.hostPort(DEFAULT_ADMIN_LISTEN));
      var adminToken = opt(e, "admin_token", ConfigLoader::adminToken);
      var trusted = new ArrayList<Cidr>();
      if (e.containsKey("trusted_proxies"))
        for (var s : yaml.strings(e.get("trusted_proxies"), "trusted_proxies"))
          parseInto(e.get("trusted_proxies"), "trusted_proxies", () -> trusted.add(Cidr.parse(s)));
      var tls = tls(e.get("tls"));
      var identity = identity(e.get("identity"));
      var proxy = proxy(e.get("proxy"));
      var assertion = assertion(e.get("assertion"));
      var account = account(e.get("account"));
      var limits = limits(e.get("limits"));
      var log = log(e.get("log"));
      var audit = audit(e.get("audit"));
      var notifications = notifications(e.get("notifications"));
      if (!problems.isEmpty()) return null;
      return new GatewayConfig(
          file, listen, publicUrl, upstream.orElseThrow(), caseInsensitive, policies, webauthn,
          registration, storage, sessions, admin, adminToken, trusted, tls, identity, proxy,
          assertion, account, limits, log, audit, notifications);
    }

    private WebAuthn webauthn(Node node, URI publicUrl) {
      var m = section(node, "webauthn", Set.of("rp_id", "rp_name", "origins", "user_verification", "attestation",
          "allowed_aaguids", "attestation_roots", "mds_file", "mds_root"));
      var rpId = opt(m, "webauthn.rp_id", t -> t.trim().toLowerCase(java.util.Locale.ROOT))
          .orElse(publicUrl.getHost() == null ? "localhost" : publicUrl.getHost());
      if (publicUrl.getHost() != null && !hostWithin(publicUrl.getHost(), rpId) && m.containsKey("rp_id"))
        yaml.problem(m.get("rp_id"), "webauthn.rp_id",
            "must be the host of public_url or a parent domain of it (" + publicUrl.getHost() + ")");
      var rpName = opt(m, "webauthn.rp_name", t -> t).orElse("stepgate");
      var origins = new ArrayList<String>();
      origins.add(origin(publicUrl));
      if (m.containsKey("origins"))
        for (var o : yaml.strings(m.get("origins"), "webauthn.origins"))
          parseInto(m.get("origins"), "webauthn.origins", () -> {
            var u = publicUrl(o);
            if (!origins.contains(origin(u))) origins.add(origin(u));
          });
      var uv = opt(m, "webauthn.user_verification", t -> Values.choice(t, UserVerification.class))
          .orElse(UserVerification.REQUIRED);
      var att = opt(m, "webauthn.attestation", t -> Values.choice(t, Attestation.class)).orElse(Attestation.NONE);
      var aaguids = new ArrayList<String>();
      if (m.containsKey("allowed_aaguids"))
        for (var a : yaml.strings(m.get("allowed_aaguids"), "webauthn.allowed_aaguids"))
          parseInto(m.get("allowed_aaguids"), "webauthn.allowed_aaguids",
              () -> aaguids.add(uuid(a).toString()));
      if (att == Attestation.DIRECT && aaguids.isEmpty() && m.containsKey("attestation"))
        yaml.problem(m.get("attestation"), "webauthn.attestation",
            "direct attestation needs a non-empty webauthn.allowed_aaguids list");
      var blobRoots = opt(m, "webauthn.mds_root", t -> AttestationRoots.fromPem(Path.of(t))).orElse(AttestationRoots.NONE);
      if (m.containsKey("mds_root") && !m.containsKey("mds_file"))
        yaml.problem(m.get("mds_root"), "webauthn.mds_root", "is used only with webauthn.mds_file");
      var roots = opt(m, "webauthn.attestation_roots", t -> AttestationRoots.fromPem(Path.of(t))).orElse(AttestationRoots.NONE)
          .with(opt(m, "webauthn.mds_file", t -> AttestationRoots.fromMetadata(Path.of(t), blobRoots.bundle()))
              .orElse(AttestationRoots.NONE));
      // An allow-list of models means nothing if any key may claim any model (self or none
      // attestation, or a chain to a CA of its own): it needs roots to verify chains against.
      boolean rootsGiven = m.containsKey("attestation_roots") || m.containsKey("mds_file");
      if (!aaguids.isEmpty() && !rootsGiven)
        yaml.problem(m.get("allowed_aaguids"), "webauthn.allowed_aaguids",
            "needs trusted attestation roots: set webauthn.attestation_roots (a PEM file) or webauthn.mds_file"
                + " (FIDO MDS3 metadata)");
      if (!aaguids.isEmpty() && att != Attestation.DIRECT)
        yaml.problem(m.get("allowed_aaguids"), "webauthn.allowed_aaguids",
            "is enforced only with webauthn.attestation: direct");
      return new WebAuthn(rpId, rpName, origins, uv, att, aaguids, roots);
    }

    private Storage storage(Node node) {
      var m = section(node, "storage", Set.of("driver", "path", "url", "allow_shared_permissions"));
      var driver = opt(m, "storage.driver", t -> Values.choice(t, StorageDriver.class)).orElse(StorageDriver.EMBEDDED);
      var path = opt(m, "storage.path", Path::of).orElse(Path.of(DEFAULT_STORAGE_PATH));
      Optional<String> url = opt(m, "storage.url", t -> t);
      var shared = opt(m, "storage.allow_shared_permissions", Values::bool).orElse(false);
      if (driver == StorageDriver.POSTGRES) {
        if (!m.containsKey("url"))
          yaml.problem(m.get("driver"), "storage.url", "required with storage.driver: postgres " + POSTGRES_URL_EXAMPLE);
        else url.ifPresent(u -> parseInto(m.get("url"), "storage.url", () -> postgresUrl(u)));
        // The embedded store's keys mean nothing here: refused rather than silently ignored.
        for (var key : List.of("path", "allow_shared_permissions"))
          if (m.containsKey(key)) yaml.problem(m.get(key), "storage." + key, "is used only with storage.driver: embedded");
      } else if (m.containsKey("url")) {
        // A node with a url but no driver would quietly keep its own file: never what several nodes want.
        yaml.problem(m.get("url"), "storage.url", "is used only with storage.driver: postgres");
      }
      return new Storage(driver, path, url, shared);
    }

    private Sessions sessions(Node node) {
      var m = section(node, "sessions", Set.of("driver", "url", "idle_timeout", "max_lifetime"));
      var driver = opt(m, "sessions.driver", t -> Values.choice(t, SessionDriver.class)).orElse(SessionDriver.MEMORY);
      var url = opt(m, "sessions.url", SessionsEndpoint::parse);
      var idle = opt(m, "sessions.idle_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_IDLE_TIMEOUT);
      var max = opt(m, "sessions.max_lifetime", ConfigLoader::positiveDuration).orElse(DEFAULT_MAX_LIFETIME);
      if (driver == SessionDriver.REDIS && !m.containsKey("url"))
        yaml.problem(m.get("driver"), "sessions.url", "required with sessions.driver: redis (redis://host:6379/0)");
      if (driver == SessionDriver.MEMORY && m.containsKey("url"))
        yaml.problem(m.get("url"), "sessions.url", "is used only with sessions.driver: redis");
      if (idle.compareTo(max) > 0 && m.containsKey("idle_timeout"))
        yaml.problem(m.get("idle_timeout"), "sessions.idle_timeout", "must not exceed sessions.max_lifetime");
      return new Sessions(driver, url, idle, max);
    }

    private Optional<Tls> tls(Node node) {
      if (node == null) return Optional.empty();
      var m = section(node, "tls", Set.of("cert_file", "key_file"));
      var cert = opt(m, "tls.cert_file", ConfigLoader::readableFile);
      var key = opt(m, "tls.key_file", ConfigLoader::readableFile);
      if (!m.containsKey("cert_file")) yaml.problem(node, "tls.cert_file", "required when tls is set");
      if (!m.containsKey("key_file")) yaml.problem(node, "tls.key_file", "required when tls is set");
      if (cert.isEmpty() || key.isEmpty()) return Optional.empty();
      return Optional.of(new Tls(cert.get(), key.get()));
    }

    private Identity identity(Node node) {
      var m = section(node, "identity", Set.of("source", "whoami", "first_enrollment"));
      var source = opt(m, "identity.source", t -> Values.choice(t, IdentitySource.class)).orElse(IdentitySource.GATEWAY);
      var first = opt(m, "identity.first_enrollment", t -> Values.choice(t, FirstEnrollment.class))
          .orElse(FirstEnrollment.INVITE);
      Optional<Whoami> whoami = Optional.empty();
      if (m.containsKey("whoami")) {
        var w = section(m.get("whoami"), "identity.whoami", Set.of("path", "username", "groups", "session_cookies", "cache"));
        var path = opt(w, "identity.whoami.path", ConfigLoader::whoamiPath);
        var user = opt(w, "identity.whoami.username", ConfigLoader::jsonPointer);
        var groups = opt(w, "identity.whoami.groups", ConfigLoader::jsonPointer);
        var cookies = w.containsKey("session_cookies")
            ? yaml.strings(w.get("session_cookies"), "identity.whoami.session_cookies") : List.<String>of();
        for (var c : cookies) {
          if (!c.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}"))
            yaml.problem(w.get("session_cookies"), "identity.whoami.session_cookies", "'" + c + "' is not a cookie name");
          else if (c.equalsIgnoreCase("stepgate") || c.equalsIgnoreCase("__Host-stepgate"))
            yaml.problem(w.get("session_cookies"), "identity.whoami.session_cookies", "'" + c + "' is the gateway's own cookie");
        }
        var cache = opt(w, "identity.whoami.cache", ConfigLoader::whoamiCache).orElse(DEFAULT_WHOAMI_CACHE);
        if (!w.containsKey("path")) yaml.problem(m.get("whoami"), "identity.whoami.path", "required (the app's endpoint that names the signed-in user)");
        if (!w.containsKey("username")) yaml.problem(m.get("whoami"), "identity.whoami.username", "required (a JSON pointer to the username in its answer)");
        if (cookies.isEmpty()) yaml.problem(m.get("whoami"), "identity.whoami.session_cookies", "required: the app's session cookie name(s)");
        if (path.isPresent() && user.isPresent() && !cookies.isEmpty())
          whoami = Optional.of(new Whoami(path.get(), user.get(), groups, cookies, cache));
      } else if (source == IdentitySource.UPSTREAM) {
        yaml.problem(m.get("source"), "identity.whoami", "required when identity.source is upstream");
      }
      return new Identity(source, whoami, first);
    }

    private Proxy proxy(Node node) {
      var m = section(node, "proxy", Set.of("connect_timeout", "response_timeout", "max_header_size",
          "max_body_size", "held_request_max_size", "held_requests_per_session", "held_requests_max_bytes", "pool_size",
          "relay", "header_timeout", "idle_timeout", "body_timeout", "max_connections_per_ip", "shutdown_grace"));
      var connect = opt(m, "proxy.connect_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_CONNECT_TIMEOUT);
      var response = opt(m, "proxy.response_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_RESPONSE_TIMEOUT);
      var header = opt(m, "proxy.max_header_size", t -> intSize(t, 1024, 1 << 20)).orElse(DEFAULT_MAX_HEADER_SIZE);
      var body = opt(m, "proxy.max_body_size", Values::size).orElse(0L);
      var held = opt(m, "proxy.held_request_max_size", t -> intSize(t, 0, 16 << 20)).orElse(DEFAULT_HELD_REQUEST_MAX);
      var perSession = opt(m, "proxy.held_requests_per_session", t -> (int) range(Long.parseLong(t.trim()), 1, 1000))
          .orElse(DEFAULT_HELD_REQUESTS_PER_SESSION);
      var heldBytes = opt(m, "proxy.held_requests_max_bytes", t -> range(Values.size(t), 1, 1L << 40))
          .orElse(DEFAULT_HELD_REQUESTS_MAX_BYTES); // held_request_max_size is at most 16 MiB: always room for one
      var pool = opt(m, "proxy.pool_size", t -> (int) range(Long.parseLong(t.trim()), 1, 10_000)).orElse(DEFAULT_POOL_SIZE);
      var relay = opt(m, "proxy.relay", Values::bool).orElse(true);
      var headerTimeout = opt(m, "proxy.header_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_HEADER_TIMEOUT);
      var idleTimeout = opt(m, "proxy.idle_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_CONNECTION_IDLE_TIMEOUT);
      var bodyTimeout = opt(m, "proxy.body_timeout", ConfigLoader::positiveDuration).orElse(DEFAULT_BODY_TIMEOUT);
      var perIp = opt(m, "proxy.max_connections_per_ip", t -> (int) range(Long.parseLong(t.trim()), 1, 1_000_000))
          .orElse(DEFAULT_MAX_CONNECTIONS_PER_IP);
      var grace = opt(m, "proxy.shutdown_grace", Values::duration).orElse(DEFAULT_SHUTDOWN_GRACE);
      if (heldBytes < held) {
        // Not one form of the largest size could ever be held.
        yaml.problem(m.get("held_requests_max_bytes"), "proxy.held_requests_max_bytes",
            "must not be smaller than proxy.held_request_max_size (" + held + ")");
        return null;
      }
      return new Proxy(connect, response, header, body, held, perSession, heldBytes, pool, relay, headerTimeout,
          idleTimeout, bodyTimeout, perIp, grace);
    }

    private Assertion assertion(Node node) {
      var m = section(node, "assertion", Set.of("compat_headers", "key_grace"));
      var families = new ArrayList<String>();
      if (m.containsKey("compat_headers"))
        for (var f : yaml.strings(m.get("compat_headers"), "assertion.compat_headers"))
          if (COMPAT_FAMILIES.contains(f)) families.add(f);
          else yaml.problem(m.get("compat_headers"), "assertion.compat_headers",
              "'" + f + "' is not one of authelia | oauth2-proxy");
      var grace = opt(m, "assertion.key_grace", Values::duration).orElse(DEFAULT_KEY_GRACE);
      return new Assertion(families, grace);
    }

    private Account account(Node node) {
      var m = section(node, "account", Set.of("step_up_max_age", "recovery_ends_sessions"));
      var maxAge = opt(m, "account.step_up_max_age", ConfigLoader::accountStepUpMaxAge)
          .orElse(DEFAULT_ACCOUNT_STEP_UP_MAX_AGE);
      var endsSessions = opt(m, "account.recovery_ends_sessions", Values::bool).orElse(false);
      return new Account(maxAge, endsSessions);
    }

    /** {@code limits}: every rate is {@code { rate: N/DURATION, burst: M }} (burst defaults to N). */
    private Limits limits(Node node) {
      var m = section(node, "limits", Set.of("per_ip", "per_account", "step_up_failures"));
      var ip = section(m.get("per_ip"), "limits.per_ip", Set.of("ceremonies", "invites", "forward_auth", "open_ceremonies"));
      var account = section(m.get("per_account"), "limits.per_account", Set.of("ceremonies", "invites", "forward_auth"));
      var failures = section(m.get("step_up_failures"), "limits.step_up_failures", Set.of("max", "within"));
      var open = opt(ip, "limits.per_ip.open_ceremonies", t -> count(t, 2, 1_000_000))
          .orElse(Limits.DEFAULT_OPEN_CEREMONIES_PER_IP);
      var max = opt(failures, "limits.step_up_failures.max", t -> count(t, 1, 1000)).orElse(Limits.DEFAULT_STEP_UP_FAILURES);
      var within = opt(failures, "limits.step_up_failures.within", ConfigLoader::positiveDuration)
          .orElse(Limits.DEFAULT_STEP_UP_FAILURE_WINDOW);
      return new Limits(
          rate(ip, "limits.per_ip.ceremonies", Limits.DEFAULT_CEREMONIES_PER_IP),
          rate(account, "limits.per_account.ceremonies", Limits.DEFAULT_CEREMONIES_PER_ACCOUNT),
          rate(ip, "limits.per_ip.invites", Limits.DEFAULT_INVITES_PER_IP),
          rate(account, "limits.per_account.invites", Limits.DEFAULT_INVITES_PER_ACCOUNT),
          rate(ip, "limits.per_ip.forward_auth", Limits.DEFAULT_FORWARD_AUTH_PER_IP),
          rate(account, "limits.per_account.forward_auth", Limits.DEFAULT_FORWARD_AUTH_PER_ACCOUNT),
          open, max, within);
    }

    private Rate rate(Map<String, Node> parent, String key, Rate fallback) {
      var node = parent.get(key.substring(key.lastIndexOf('.') + 1));
      if (node == null) return fallback;
      var m = section(node, key, Set.of("rate", "burst"));
      if (m.isEmpty()) return fallback;
      if (!m.containsKey("rate")) {
        yaml.problem(node, key, "rate is required (e.g. { rate: 30/1m, burst: 10 })");
        return fallback;
      }
      var perPeriod = opt(m, key + ".rate", ConfigLoader::perPeriod);
      var burst = opt(m, key + ".burst", t -> count(t, 1, 1_000_000));
      if (perPeriod.isEmpty()) return fallback;
      var r = perPeriod.get();
      return new Rate(r.count(), r.period(), burst.orElse(r.count()));
    }

    private GatewayConfig.Log log(Node node) {
      var m = section(node, "log", Set.of("format", "level"));
      var format = opt(m, "log.format", t -> Values.choice(t, GatewayConfig.LogFormat.class))
          .orElse(GatewayConfig.Log.DEFAULT.format());
      var level = opt(m, "log.level", t -> Values.choice(t, GatewayConfig.LogLevel.class))
          .orElse(GatewayConfig.Log.DEFAULT.level());
      return new GatewayConfig.Log(format, level);
    }

    private GatewayConfig.Audit audit(Node node) {
      var m = section(node, "audit", Set.of("sink", "path"));
      var sink = opt(m, "audit.sink", t -> Values.choice(t, GatewayConfig.AuditSink.class))
          .orElse(GatewayConfig.Audit.DEFAULT.sink());
      var path = opt(m, "audit.path", t -> {
        if (t.isBlank()) throw new IllegalArgumentException("must not be empty");
        return Path.of(t);
      }).orElse(GatewayConfig.Audit.DEFAULT_PATH);
      if (m.containsKey("path") && sink != GatewayConfig.AuditSink.FILE)
        yaml.problem(m.get("path"), "audit.path", "is used only with audit.sink: file");
      return new GatewayConfig.Audit(sink, path);
    }

    private GatewayConfig.Notifications notifications(Node node) {
      var m = section(node, "notifications", Set.of("webhook_url", "secret", "max_attempts"));
      var url = opt(m, "notifications.webhook_url", ConfigLoader::webhookUrl);
      var secret = opt(m, "notifications.secret", ConfigLoader::webhookSecret);
      var attempts = opt(m, "notifications.max_attempts", t -> count(t, 1, 10))
          .orElse(GatewayConfig.Notifications.DEFAULT_MAX_ATTEMPTS);
      if (m.containsKey("webhook_url") && !m.containsKey("secret"))
        yaml.problem(m.get("webhook_url"), "notifications.secret", "required with webhook_url (the key that signs each POST)");
      if (m.containsKey("secret") && !m.containsKey("webhook_url"))
        yaml.problem(m.get("secret"), "notifications.secret", "is used only with notifications.webhook_url");
      if (url.isEmpty() || secret.isEmpty()) return GatewayConfig.Notifications.NONE;
      return new GatewayConfig.Notifications(url, secret, attempts);
    }

    private Map<String, Node> section(Node node, String key, Set<String> allowed) {
      if (node == null) return Map.of();
      return yaml.mapping(node, key).map(m -> yaml.entries(m, key, allowed)).orElse(Map.of());
    }

    private <T> Optional<T> opt(Map<String, Node> m, String key, Function<String, T> parser) {
      var leaf = key.substring(key.lastIndexOf('.') + 1);
      var node = m.get(leaf);
      return node == null ? Optional.empty() : yaml.value(node, key, parser);
    }

    private void parseInto(Node node, String key, Runnable action) {
      try {
        action.run();
      } catch (IllegalArgumentException ex) {
        yaml.problem(node, key, ex.getMessage());
      }
    }
  }

  static final String POSTGRES_URL_EXAMPLE = "(postgresql://user:password@host:5432/database?sslmode=verify-full)";

  /**
   * Checks a {@code storage.url}: a {@code postgresql://} (or {@code postgres://}) URL. The
   * message never repeats the value: it may hold a password.
   */
  static void postgresUrl(String text) {
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL " + POSTGRES_URL_EXAMPLE
          + "; percent-encode special characters of the password");
    }
    if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme()))
      throw new IllegalArgumentException("must be a postgresql:// URL " + POSTGRES_URL_EXAMPLE);
  }

  static URI publicUrl(String text) {
    var u = absoluteHttp(text);
    if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
      throw new IllegalArgumentException("must be an origin without a path (e.g. https://app.example.com)");
    return u;
  }

  static URI upstream(String text) {
    var u = absoluteHttp(text);
    if (u.getRawQuery() != null || u.getRawFragment() != null)
      throw new IllegalArgumentException("must not have a query or fragment");
    return u;
  }

  private static URI absoluteHttp(String text) {
    URI u;
    try {
      u = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL");
    }
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()))
      throw new IllegalArgumentException("'" + text + "' must be an http:// or https:// URL");
    if (u.getHost() == null || u.getHost().isEmpty())
      throw new IllegalArgumentException("'" + text + "' has no host");
    if (u.getRawUserInfo() != null) throw new IllegalArgumentException("must not contain user:password@");
    return u;
  }

  static String origin(URI u) {
    int port = u.getPort();
    boolean defaultPort = port == -1 || ("http".equals(u.getScheme()) && port == 80)
        || ("https".equals(u.getScheme()) && port == 443);
    return u.getScheme() + "://" + u.getHost().toLowerCase(java.util.Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  private static boolean hostWithin(String host, String rpId) {
    var h = host.toLowerCase(java.util.Locale.ROOT);
    return h.equals(rpId) || h.endsWith("." + rpId);
  }

  private static Duration positiveDuration(String t) {
    var d = Values.duration(t);
    if (d.isZero()) throw new IllegalArgumentException("must be greater than 0");
    return d;
  }

  private static Duration accountStepUpMaxAge(String t) {
    var d = positiveDuration(t);
    if (d.compareTo(Account.MAX_STEP_UP_MAX_AGE) > 0)
      throw new IllegalArgumentException("must be at most 1h (an account change needs a recent passkey check)");
    return d;
  }

  /** {@code N/DURATION}, e.g. {@code 30/1m}: N hits per DURATION (burst left to the caller). */
  static Rate perPeriod(String t) {
    var slash = t.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("'" + t + "' is not a rate (use hits/duration: 30/1m, 5/10s)");
    int n = count(t.substring(0, slash), 1, 1_000_000);
    var period = positiveDuration(t.substring(slash + 1).trim());
    if (period.toMillis() / n < 1) throw new IllegalArgumentException("'" + t + "' is more than one hit per millisecond");
    return new Rate(n, period, 1);
  }

  private static int count(String t, int min, int max) {
    long v;
    try {
      v = Long.parseLong(t.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + t.trim() + "' is not a whole number");
    }
    return (int) range(v, min, max);
  }

  private static int intSize(String t, long min, long max) {
    return (int) range(Values.size(t), min, max);
  }

  private static long range(long v, long min, long max) {
    if (v < min || v > max) throw new IllegalArgumentException(v + " is out of range " + min + ".." + max);
    return v;
  }

  private static URI webhookUrl(String t) {
    var u = absoluteHttp(t);
    if (u.getRawFragment() != null) throw new IllegalArgumentException("must not have a fragment");
    return u;
  }

  private static String webhookSecret(String t) {
    if (t.length() < 16) throw new IllegalArgumentException("must be at least 16 characters");
    return t;
  }

  /** An origin-relative path of the app (the whoami endpoint), never one of the gateway's own. */
  private static String whoamiPath(String t) {
    if (!t.startsWith("/") || t.startsWith("//")) throw new IllegalArgumentException("must be a path starting with /");
    if (t.startsWith("/.stepgate/") || t.equals("/.stepgate")) throw new IllegalArgumentException("must be a path of the app, not of the gateway");
    if (t.chars().anyMatch(c -> c <= ' ' || c == '#' || c >= 0x7f)) throw new IllegalArgumentException("must not contain spaces, control characters or #");
    return t;
  }

  /** An RFC 6901 JSON pointer to a member of the whoami answer (not the whole document). */
  private static String jsonPointer(String t) {
    if (!t.startsWith("/")) throw new IllegalArgumentException("must be a JSON pointer such as /user/email");
    if (t.matches(".*~[^01].*|.*~$")) throw new IllegalArgumentException("'~' must be written ~0 and '/' inside a name ~1");
    return t;
  }

  private static Duration whoamiCache(String t) {
    var d = Values.duration(t);
    if (d.compareTo(Duration.ofMinutes(15)) > 0) throw new IllegalArgumentException("must be at most 15m (the app's logout holds only after it)");
    return d;
  }

  private static String adminToken(String t) {
    if (t.length() < 32) throw new IllegalArgumentException("must be at least 32 characters");
    return t;
  }

  private static Path readableFile(String t) {
    var p = Path.of(t);
    if (!Files.isReadable(p)) throw new IllegalArgumentException("cannot read file " + t);
    return p;
  }

  private static UUID uuid(String t) {
    try {
      return UUID.fromString(t.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + t + "' is not an AAGUID (a UUID)");
    }
  }
}

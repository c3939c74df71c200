package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(Path.of("gw.yaml"), yaml, Map.of("UP", "http://10.0.0.5:3000", "EMPTY", "")::get);
  }

  private static List<String> problems(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).problems();
  }

  @Test
  void parse_minimalConfig_appliesEveryDefault() {
    var c = parse("upstream: http://127.0.0.1:3000\n");
    assertEquals("0.0.0.0:8080", c.listen().toString());
    assertEquals("http://localhost:8080", c.publicOrigin());
    assertEquals("localhost", c.webauthn().rpId());
    assertEquals(List.of("http://localhost:8080"), c.webauthn().origins());
    assertEquals(GatewayConfig.UserVerification.REQUIRED, c.webauthn().userVerification());
    assertEquals(GatewayConfig.Registration.OPEN, c.registration());
    assertEquals(Path.of("./data"), c.storage().path());
    assertEquals(Duration.ofMinutes(30), c.sessions().idleTimeout());
    assertEquals(Duration.ofHours(12), c.sessions().maxLifetime());
    assertEquals("127.0.0.1:9090", c.adminListen().toString());
    assertEquals(64 * 1024, c.proxy().heldRequestMaxSize());
    assertEquals(Duration.ofHours(24), c.assertion().keyGrace());
    assertTrue(c.trustedProxies().isEmpty());
    assertTrue(c.tls().isEmpty());
    assertEquals(Duration.ofMinutes(5), c.account().stepUpMaxAge());
    assertEquals(dev.stepgate.ratelimit.Limits.DEFAULTS, c.limits());
  }

  @Test
  void limits_ratesAndBurstsAreRead_andBurstDefaultsToTheCount() {
    var l = parse("""
        upstream: http://a
        limits:
          per_ip:
            ceremonies: { rate: 5/10s, burst: 2 }
            open_ceremonies: 8
          per_account:
            forward_auth: { rate: 100/1m }
          step_up_failures: { max: 3, within: 1h }
        """).limits();
    assertEquals(new dev.stepgate.ratelimit.Rate(5, Duration.ofSeconds(10), 2), l.ceremoniesPerIp());
    assertEquals(new dev.stepgate.ratelimit.Rate(100, Duration.ofMinutes(1), 100), l.forwardAuthPerAccount());
    assertEquals(dev.stepgate.ratelimit.Limits.DEFAULT_INVITES_PER_IP, l.invitesPerIp());
    assertEquals(8, l.openCeremoniesPerIp());
    assertEquals(3, l.stepUpFailures());
    assertEquals(Duration.ofHours(1), l.stepUpFailureWindow());
  }

  @Test
  void limits_badValuesAndUnknownKeys_areAllReportedWithPositions() {
    // Unknown keys are found as each mapping is read, values as each section is built.
    assertEquals(List.of(
        "gw.yaml:10:3: limits.burst: unknown key (allowed: per_account, per_ip, step_up_failures)",
        "gw.yaml:4:5: limits.per_ip.ceremony: unknown key (allowed: ceremonies, forward_auth, invites, open_ceremonies)",
        "gw.yaml:5:22: limits.per_ip.open_ceremonies: 1 is out of range 2..1000000",
        "gw.yaml:9:28: limits.step_up_failures.max: 'many' is not a whole number",
        "gw.yaml:7:25: limits.per_account.ceremonies.rate: '30 per minute' is not a rate (use hits/duration: 30/1m, 5/10s)",
        "gw.yaml:8:14: limits.per_account.invites: rate is required (e.g. { rate: 30/1m, burst: 10 })"),
        problems("""
            upstream: http://a
            limits:
              per_ip:
                ceremony: { rate: 1/1s }
                open_ceremonies: 1
              per_account:
                ceremonies: { rate: 30 per minute }
                invites: { burst: 3 }
              step_up_failures: { max: many }
              burst: 4
            """));
  }

  @Test
  void identity_upstream_readsTheWhoamiQuestion() {
    var c = parse("""
        upstream: http://a
        identity:
          source: upstream
          whoami: { path: /api/me, username: /user/email, groups: /user/roles, session_cookies: [JSESSIONID], cache: 30s }
          first_enrollment: on_step_up
        """);
    var w = c.identity().whoami().orElseThrow();
    assertEquals(GatewayConfig.IdentitySource.UPSTREAM, c.identity().source());
    assertEquals(GatewayConfig.FirstEnrollment.ON_STEP_UP, c.identity().firstEnrollment());
    assertEquals("/api/me", w.path());
    assertEquals("/user/email", w.username());
    assertEquals(java.util.Optional.of("/user/roles"), w.groups());
    assertEquals(List.of("JSESSIONID"), w.sessionCookies());
    assertEquals(java.time.Duration.ofSeconds(30), w.cache());
  }

  @Test
  void identity_upstream_badOrMissingWhoami_isNamedByKeyAndLine() {
    assertEquals(List.of("gw.yaml:2:21: identity.whoami: required when identity.source is upstream"),
        problems("upstream: http://a\nidentity: { source: upstream }\n"));
    var p = problems("""
        upstream: http://a
        identity:
          source: upstream
          whoami:
            path: /.stepgate/api/session
            username: user
            session_cookies: [stepgate, "bad name"]
            cache: 2h
        """);
    assertEquals(5, p.size(), p.toString());
    assertTrue(p.get(0).contains("identity.whoami.path") && p.get(0).contains("not of the gateway"), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.contains("identity.whoami.username") && x.contains("JSON pointer")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.contains("'stepgate' is the gateway's own cookie")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.contains("'bad name' is not a cookie name")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.contains("identity.whoami.cache") && x.contains("15m")), p.toString());
    assertTrue(problems("upstream: http://a\nidentity:\n  source: upstream\n  whoami: { path: /me }\n").size() == 2);
  }

  @Test
  void parse_envReferences_areSubstituted() {
    var c = parse("upstream: ${UP}\npublic_url: https://bank.example.com\n");
    assertEquals("http://10.0.0.5:3000", c.upstream().toString());
    assertTrue(c.secureCookies());
    assertEquals("bank.example.com", c.webauthn().rpId());
  }

  @Test
  void parse_missingEnv_namesFileLineAndKey() {
    assertEquals(List.of("gw.yaml:2:9: listen: environment variable NOPE is not set"),
        problems("upstream: http://a\nlisten: \"${NOPE}\"\n"));
  }

  @Test
  void parse_unknownKey_isAnErrorWithPosition() {
    var p = problems("upstream: http://a\nlisten: 1.2.3.4:80\nsesions:\n  idle_timeout: 5m\n");
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("gw.yaml:3:1: sesions: unknown key (allowed: "), p.get(0));
  }

  @Test
  void parse_unknownNestedKey_namesTheFullKey() {
    var p = problems("upstream: http://a\nsessions:\n  idle_timeout: 5m\n  idle: 3m\n");
    assertTrue(p.get(0).startsWith("gw.yaml:4:3: sessions.idle: unknown key"), p.get(0));
  }

  @Test
  void parse_badDuration_namesTheKey() {
    assertEquals(List.of("gw.yaml:3:17: sessions.idle_timeout: '5 minutes' is not a duration (use a whole number and a unit: 250ms, 30s, 5m, 12h, 7d)"),
        problems("upstream: http://a\nsessions:\n  idle_timeout: 5 minutes\n"));
  }

  @Test
  void parse_negativeDuration_isRefused() {
    var p = problems("upstream: http://a\nsessions: { max_lifetime: -5m }\n");
    assertTrue(p.get(0).startsWith("gw.yaml:2:27: sessions.max_lifetime: '-5m' is not a duration"), p.get(0));
  }

  @Test
  void parse_missingUpstream_isRequired() {
    assertEquals(List.of("gw.yaml:1:1: upstream: required (the URL of the app behind the gateway)"), problems("listen: :8080\n"));
  }

  @Test
  void parse_everyProblem_isReportedAtOnce() {
    var p = problems("upstream: ftp://x\nregistration: sometimes\nwebauthn:\n  user_verification: maybe\n");
    assertEquals(List.of(
        "gw.yaml:1:11: upstream: 'ftp://x' must be an http:// or https:// URL",
        "gw.yaml:4:22: webauthn.user_verification: 'maybe' is not one of required | preferred",
        "gw.yaml:2:15: registration: 'sometimes' is not one of open | invite | closed"), p);
  }

  @Test
  void parse_malformedYaml_givesLineAndColumn() {
    var p = problems("upstream: http://a\nlisten: [1, 2\n");
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("gw.yaml:3:1: (yaml): "), p.get(0));
  }

  @Test
  void parse_duplicateKey_isRefused() {
    assertEquals(List.of("gw.yaml:2:1: upstream: duplicate key"), problems("upstream: http://a\nupstream: http://b\n"));
  }

  @Test
  void parse_trustedProxies_parsesCidrsAndRefusesGarbage() {
    var c = parse("upstream: http://a\ntrusted_proxies: [10.0.0.0/8, \"::1\"]\n");
    assertTrue(new dev.stepgate.proxy.HeaderHygiene(c.trustedProxies(), new dev.stepgate.session.SessionCookie(false)).trusted("10.1.2.3"));
    assertTrue(new dev.stepgate.proxy.HeaderHygiene(c.trustedProxies(), new dev.stepgate.session.SessionCookie(false)).trusted("::1"));
    var p = problems("upstream: http://a\ntrusted_proxies: [10.0.0.0/33]\n");
    assertEquals(List.of("gw.yaml:2:18: trusted_proxies: prefix length out of range in 10.0.0.0/33"), p);
  }

  @Test
  void parse_rpIdOutsidePublicHost_isRefused() {
    var p = problems("upstream: http://a\npublic_url: https://app.example.com\nwebauthn: { rp_id: other.com }\n");
    assertEquals(List.of("gw.yaml:3:20: webauthn.rp_id: must be the host of public_url or a parent domain of it (app.example.com)"), p);
  }

  @Test
  void parse_tlsWithMissingFile_namesTheFile() {
    var p = problems("upstream: http://a\ntls: { cert_file: /nope.pem, key_file: /nope.key }\n");
    assertEquals(List.of("gw.yaml:2:19: tls.cert_file: cannot read file /nope.pem",
        "gw.yaml:2:40: tls.key_file: cannot read file /nope.key"), p);
  }

  @Test
  void load_missingFile_saysSo(@TempDir Path dir) {
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("none.yaml")));
    assertEquals(List.of(dir.resolve("none.yaml") + ": cannot read config file (no such file)"), e.problems());
  }

  @Test
  void load_file_usesItsPathInMessages(@TempDir Path dir) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "upstream: http://a\nproxy:\n  pool_size: lots\n");
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertTrue(e.problems().get(0).startsWith(f + ":3:14: proxy.pool_size: "), e.problems().get(0));
  }

  @Test
  void proxyRelay_defaultsOn_canBeSwitchedOff_andMustBeABoolean(@TempDir Path dir) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "upstream: http://a\n");
    assertTrue(ConfigLoader.load(f).proxy().relay());
    Files.writeString(f, "upstream: http://a\nproxy: { relay: false }\n");
    assertEquals(false, ConfigLoader.load(f).proxy().relay());
    Files.writeString(f, "upstream: http://a\nproxy:\n  relay: sometimes\n");
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertTrue(e.problems().get(0).startsWith(f + ":3:10: proxy.relay: "), e.problems().get(0));
  }

  @Test
  void storageAllowSharedPermissions_defaultsOff_canBeSwitchedOn_andMustBeABoolean() {
    assertEquals(false, parse("upstream: http://a\n").storage().allowSharedPermissions());
    assertTrue(parse("upstream: http://a\nstorage: { allow_shared_permissions: true }\n").storage().allowSharedPermissions());
    assertEquals(List.of("gw.yaml:3:29: storage.allow_shared_permissions: 'sometimes' is not true or false"),
        problems("upstream: http://a\nstorage:\n  allow_shared_permissions: sometimes\n"));
  }

  // ---- storage.driver: postgres (issue 12)

  @Test
  void storagePostgres_withAUrl_isAccepted() {
    var c = parse("upstream: http://a\nstorage:\n  driver: postgres\n  url: postgresql://gate:s3cret@db:5432/stepgate?sslmode=require\n");
    assertEquals(GatewayConfig.StorageDriver.POSTGRES, c.storage().driver());
    assertEquals(java.util.Optional.of("postgresql://gate:s3cret@db:5432/stepgate?sslmode=require"), c.storage().url());
  }

  @Test
  void storagePostgres_withoutAUrl_namesTheKey() {
    assertEquals(List.of("gw.yaml:3:11: storage.url: required with storage.driver: postgres "
            + "(postgresql://user:password@host:5432/database?sslmode=verify-full)"),
        problems("upstream: http://a\nstorage:\n  driver: postgres\n"));
  }

  @Test
  void storagePostgres_notAPostgresUrl_isRefusedWithoutRepeatingIt() {
    assertEquals(List.of("gw.yaml:4:8: storage.url: must be a postgresql:// URL "
            + "(postgresql://user:password@host:5432/database?sslmode=verify-full)"),
        problems("upstream: http://a\nstorage:\n  driver: postgres\n  url: mysql://gate:s3cret@db/stepgate\n"));
    var p = problems("upstream: http://a\nstorage:\n  driver: postgres\n  url: \"postgresql://gate:s3 cret@db/x\"\n");
    assertEquals(List.of("gw.yaml:4:8: storage.url: is not a valid URL "
        + "(postgresql://user:password@host:5432/database?sslmode=verify-full); percent-encode special characters of the password"), p);
  }

  @Test
  void storagePostgres_embeddedKeys_areRefused() {
    assertEquals(List.of("gw.yaml:5:9: storage.path: is used only with storage.driver: embedded",
            "gw.yaml:6:29: storage.allow_shared_permissions: is used only with storage.driver: embedded"),
        problems("upstream: http://a\nstorage:\n  driver: postgres\n  url: postgresql://db/x\n  path: ./data\n"
            + "  allow_shared_permissions: true\n"));
  }

  @Test
  void storageEmbedded_withAUrl_isRefused() {
    assertEquals(List.of("gw.yaml:3:8: storage.url: is used only with storage.driver: postgres"),
        problems("upstream: http://a\nstorage:\n  url: postgresql://db/x\n"));
  }

  @Test
  void storageConfig_printed_leavesThePasswordOut() {
    var c = parse("upstream: http://a\nstorage:\n  driver: postgres\n  url: postgresql://gate:s3cret@db:5432/x?password=s3cret\n");
    var text = c.storage().toString();
    assertTrue(text.contains("postgresql://gate:***@db:5432/x?password=***"), text);
    assertTrue(!text.contains("s3cret") && !c.toString().contains("s3cret"), text);
  }

  // ---- webauthn attestation trust (issue 10 item 6)

  static final String DIRECT = "upstream: http://a\nwebauthn:\n  attestation: direct\n"
      + "  allowed_aaguids: [2fc0579f-8113-47ea-b116-bb5a8db9202a]\n";

  /** webauthn4j-test's 3-tier test root, a PEM file on the test class path. */
  static Path testRoot(Path dir) throws Exception {
    try (var in = ConfigLoaderTest.class.getClassLoader().getResourceAsStream("attestation/3tier/certs/3tier-test-root-CA.crt")) {
      return Files.write(dir.resolve("roots.pem"), in.readAllBytes());
    }
  }

  @Test
  void webauthnAllowedAaguids_withoutRoots_namesTheKeyAndWhatToSet() {
    assertEquals(List.of("gw.yaml:4:20: webauthn.allowed_aaguids: needs trusted attestation roots: set "
        + "webauthn.attestation_roots (a PEM file) or webauthn.mds_file (FIDO MDS3 metadata)"), problems(DIRECT));
  }

  @Test
  void webauthnAttestationRoots_pemBundle_becomesTheRoots(@TempDir Path dir) throws Exception {
    var c = parse(DIRECT + "  attestation_roots: " + testRoot(dir) + "\n");
    assertEquals(1, c.webauthn().attestationRoots().bundle().size());
    assertEquals("CN=spring-security-webauthn test root CA,O=SharpLab.",
        c.webauthn().attestationRoots().bundle().get(0).getSubjectX500Principal().getName());
  }

  @Test
  void webauthnAttestationRoots_unreadableOrWithoutCertificates_isAnError(@TempDir Path dir) throws Exception {
    var empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    assertEquals(List.of("gw.yaml:5:22: webauthn.attestation_roots: " + empty
        + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"), problems(DIRECT + "  attestation_roots: " + empty + "\n"));
    var missing = dir.resolve("missing.pem");
    assertEquals(List.of("gw.yaml:5:22: webauthn.attestation_roots: cannot read file " + missing),
        problems(DIRECT + "  attestation_roots: " + missing + "\n"));
  }

  @Test
  void webauthnMdsFile_statementRootsPerAaguid_andASignedBlobIsRefused(@TempDir Path dir) throws Exception {
    var der = java.util.Base64.getEncoder().encodeToString(java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(testRoot(dir))).getEncoded());
    var mds = Files.writeString(dir.resolve("mds.json"), "[{\"aaguid\": \"2fc0579f-8113-47ea-b116-bb5a8db9202a\","
        + " \"attestationRootCertificates\": [\"" + der + "\"]}]");
    var roots = parse(DIRECT + "  mds_file: " + mds + "\n").webauthn().attestationRoots();
    assertEquals(List.of(), roots.bundle());
    assertEquals(1, roots.forAaguid(java.util.UUID.fromString("2fc0579f-8113-47ea-b116-bb5a8db9202a")).size());
    var jwt = Files.writeString(dir.resolve("blob.jwt"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assertEquals(List.of("gw.yaml:5:13: webauthn.mds_file: " + jwt + " is a signed MDS3 BLOB (a JWT); set webauthn.mds_root"
        + " to the PEM root that signs it, or give the decoded payload JSON"),
        problems(DIRECT + "  mds_file: " + jwt + "\n"));
  }

  @Test
  void webauthnMdsRoot_withoutMdsFile_isAnError(@TempDir Path dir) throws Exception {
    var root = testRoot(dir);
    assertEquals(List.of("gw.yaml:6:13: webauthn.mds_root: is used only with webauthn.mds_file"),
        problems(DIRECT + "  attestation_roots: " + root + "\n  mds_root: " + root + "\n"));
  }

  @Test
  void webauthnAllowedAaguids_withoutDirectAttestation_isAnError(@TempDir Path dir) throws Exception {
    assertEquals(List.of("gw.yaml:3:20: webauthn.allowed_aaguids: is enforced only with webauthn.attestation: direct"),
        problems("upstream: http://a\nwebauthn:\n  allowed_aaguids: [2fc0579f-8113-47ea-b116-bb5a8db9202a]\n"
            + "  attestation_roots: " + testRoot(dir) + "\n"));
  }

  @Test
  void accountStepUpMaxAge_isADurationAboveZeroAndAtMostAnHour() {
    assertEquals(Duration.ofSeconds(90), parse("upstream: http://a\naccount: { step_up_max_age: 90s }\n").account().stepUpMaxAge());
    assertEquals(Duration.ofHours(1), parse("upstream: http://a\naccount:\n  step_up_max_age: 1h\n").account().stepUpMaxAge());
    assertEquals(List.of("gw.yaml:2:29: account.step_up_max_age: must be greater than 0"),
        problems("upstream: http://a\naccount: { step_up_max_age: 0s }\n"));
    assertEquals(List.of("gw.yaml:2:29: account.step_up_max_age: must be at most 1h (an account change needs a recent passkey check)"),
        problems("upstream: http://a\naccount: { step_up_max_age: 61m }\n"));
    assertEquals(List.of("gw.yaml:3:20: account.step_up_max_age: 'soon' is not a duration (use a whole number and a unit: 250ms, 30s, 5m, 12h, 7d)"),
        problems("upstream: http://a\naccount:\n  step_up_max_age: soon\n"));
    var unknown = problems("upstream: http://a\naccount:\n  max_age: 5m\n");
    assertEquals(List.of("gw.yaml:3:3: account.max_age: unknown key (allowed: recovery_ends_sessions, step_up_max_age)"), unknown);
  }

  @Test
  void slowClientAndShutdownKeys_haveDocumentedDefaults_andAreConfigurable() {
    var defaults = parse("upstream: http://a\n").proxy();
    assertEquals(java.time.Duration.ofSeconds(10), defaults.headerTimeout());
    assertEquals(java.time.Duration.ofSeconds(75), defaults.idleTimeout());
    assertEquals(java.time.Duration.ofSeconds(60), defaults.bodyTimeout());
    assertEquals(256, defaults.maxConnectionsPerIp());
    assertEquals(java.time.Duration.ofSeconds(10), defaults.shutdownGrace());
    var set = parse("upstream: http://a\nproxy: { header_timeout: 2s, idle_timeout: 5s, body_timeout: 3s, "
        + "max_connections_per_ip: 8, shutdown_grace: 0s }\n").proxy();
    assertEquals(java.time.Duration.ofSeconds(2), set.headerTimeout());
    assertEquals(java.time.Duration.ofSeconds(5), set.idleTimeout());
    assertEquals(java.time.Duration.ofSeconds(3), set.bodyTimeout());
    assertEquals(8, set.maxConnectionsPerIp());
    assertEquals(java.time.Duration.ZERO, set.shutdownGrace());
  }

  @Test
  void slowClientKeys_badValues_nameKeyAndPlace() {
    assertEquals(List.of("gw.yaml:3:27: proxy.max_connections_per_ip: 0 is out of range 1..1000000"),
        problems("upstream: http://a\nproxy:\n  max_connections_per_ip: 0\n"));
    var p = problems("upstream: http://a\nproxy:\n  header_timeout: 0s\n");
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("gw.yaml:3:19: proxy.header_timeout: "), p.get(0));
  }

  @Test
  void heldRequestBounds_defaultToThreePerSessionAnd32MiB_andAreConfigurable() {
    var defaults = parse("upstream: http://a\n").proxy();
    assertEquals(3, defaults.heldRequestsPerSession());
    assertEquals(32L << 20, defaults.heldRequestsMaxBytes());
    var set = parse("upstream: http://a\nproxy: { held_requests_per_session: 1, held_requests_max_bytes: 1MiB }\n").proxy();
    assertEquals(1, set.heldRequestsPerSession());
    assertEquals(1L << 20, set.heldRequestsMaxBytes());
  }

  @Test
  void heldRequestBounds_outOfRangeOrTooSmall_areRefusedWithFileLineCol() {
    assertEquals(List.of("gw.yaml:3:30: proxy.held_requests_per_session: 0 is out of range 1..1000"),
        problems("upstream: http://a\nproxy:\n  held_requests_per_session: 0\n"));
    assertEquals(List.of("gw.yaml:3:28: proxy.held_requests_max_bytes: 'lots' is not a size (e.g. 65536, 64KiB, 1MiB)"),
        problems("upstream: http://a\nproxy:\n  held_requests_max_bytes: lots\n"));
    assertEquals(List.of("gw.yaml:3:28: proxy.held_requests_max_bytes: must not be smaller than proxy.held_request_max_size (65536)"),
        problems("upstream: http://a\nproxy:\n  held_requests_max_bytes: 32KiB\n"));
  }

  @Test
  void values_sizesAndDurations() {
    assertEquals(65536, Values.size("64KiB"));
    assertEquals(1 << 20, Values.size("1MiB"));
    assertEquals(Duration.ofDays(7), Values.duration("7d"));
    assertEquals(Duration.ZERO, Values.duration("0s"));
    assertThrows(IllegalArgumentException.class, () -> Values.duration("5"));
  }

  @Test
  void parse_redisSessions_plainUrl_defaultsPortAndDatabase() {
    var c = parse("upstream: http://a\nsessions:\n  driver: redis\n  url: redis://:s3cret@cache.internal\n");
    var e = c.sessions().url().orElseThrow();
    assertEquals(GatewayConfig.SessionDriver.REDIS, c.sessions().driver());
    assertEquals(List.of("cache.internal:6379"), e.hosts());
    assertEquals(java.util.Optional.of("s3cret"), e.password());
    assertEquals(0, e.database());
    assertEquals(false, e.tls());
    assertEquals("redis://:***@cache.internal:6379/0", e.toString(), "the password never shows");
  }

  @Test
  void parse_redisSessions_tlsUserAndDatabase() {
    var e = parse("upstream: http://a\nsessions: { driver: redis, url: 'rediss://gw:p%40ss@10.0.0.7:6380/3' }\n")
        .sessions().url().orElseThrow();
    assertTrue(e.tls());
    assertEquals(java.util.Optional.of("gw"), e.user());
    assertEquals(java.util.Optional.of("p@ss"), e.password());
    assertEquals(List.of("10.0.0.7:6380"), e.hosts());
    assertEquals(3, e.database());
  }

  @Test
  void parse_redisSessions_sentinels() {
    var e = parse("upstream: http://a\nsessions:\n  driver: redis\n  url: redis-sentinel://s1,s2:26380/1?master=main\n")
        .sessions().url().orElseThrow();
    assertTrue(e.sentinel());
    assertEquals(List.of("s1:26379", "s2:26380"), e.hosts());
    assertEquals(java.util.Optional.of("main"), e.master());
    assertEquals(1, e.database());
  }

  @Test
  void parse_redisWithoutUrl_namesTheKey() {
    assertEquals(List.of("gw.yaml:3:11: sessions.url: required with sessions.driver: redis (redis://host:6379/0)"),
        problems("upstream: http://a\nsessions:\n  driver: redis\n"));
  }

  @Test
  void parse_urlWithMemory_isRefused() {
    assertEquals(List.of("gw.yaml:3:8: sessions.url: is used only with sessions.driver: redis"),
        problems("upstream: http://a\nsessions:\n  url: redis://h\n"));
  }

  @Test
  void parse_badRedisUrls_sayWhatIsExpected_neverThePassword() {
    assertEquals(List.of("gw.yaml:2:33: sessions.url: unknown scheme 'http'; expected redis://[:password@]host:port[/db],"
        + " rediss://… (TLS) or redis-sentinel://[:password@]h1:26379,h2:26379[/db]?master=NAME"),
        problems("upstream: http://a\nsessions: { driver: redis, url: 'http://h' }\n"));
    assertEquals(List.of("gw.yaml:2:33: sessions.url: redis-sentinel:// needs ?master=NAME"),
        problems("upstream: http://a\nsessions: { driver: redis, url: 'redis-sentinel://:pw@h1,h2' }\n"));
    assertEquals(List.of("gw.yaml:2:33: sessions.url: 'x' is not a port"),
        problems("upstream: http://a\nsessions: { driver: redis, url: 'redis://:topsecret@h:x' }\n"));
    assertEquals(List.of("gw.yaml:2:33: sessions.url: several hosts need redis-sentinel://h1,h2/0?master=NAME"),
        problems("upstream: http://a\nsessions: { driver: redis, url: 'redis://a,b' }\n"));
    assertEquals(List.of("gw.yaml:2:33: sessions.url: the database must be a number (/0, /1, …)"),
        problems("upstream: http://a\nsessions: { driver: redis, url: 'redis://a/zero' }\n"));
  }

  @Test
  void log_defaultsToTextAtInfo_andTakesJsonAndDebug() {
    assertEquals(GatewayConfig.Log.DEFAULT, parse("upstream: http://a\n").log());
    assertEquals(new GatewayConfig.Log(GatewayConfig.LogFormat.JSON, GatewayConfig.LogLevel.DEBUG),
        parse("upstream: http://a\nlog: { format: json, level: debug }\n").log());
  }

  @Test
  void log_unknownValuesAndKeys_areRefusedWithTheirPlace() {
    assertEquals(List.of("gw.yaml:3:11: log.format: 'xml' is not one of text | json",
            "gw.yaml:4:10: log.level: 'loud' is not one of debug | info | warning"),
        problems("upstream: http://a\nlog:\n  format: xml\n  level: loud\n"));
    assertEquals(1, problems("upstream: http://a\nlog: { colour: true }\n").size());
  }

  @Test
  void audit_defaultsToStdout_andTakesAFile() {
    assertEquals(GatewayConfig.Audit.DEFAULT, parse("upstream: http://a\n").audit());
    assertEquals(new GatewayConfig.Audit(GatewayConfig.AuditSink.FILE, Path.of("/var/log/stepgate/audit.log")),
        parse("upstream: http://a\naudit: { sink: file, path: /var/log/stepgate/audit.log }\n").audit());
    assertEquals(GatewayConfig.Audit.DEFAULT_PATH, parse("upstream: http://a\naudit: { sink: file }\n").audit().path());
  }

  @Test
  void audit_unknownValuesAndKeys_areRefusedWithTheirPlace() {
    assertEquals(List.of("gw.yaml:3:9: audit.sink: 'syslog' is not one of stdout | file"),
        problems("upstream: http://a\naudit:\n  sink: syslog\n"));
    assertEquals(List.of("gw.yaml:3:9: audit.path: is used only with audit.sink: file"),
        problems("upstream: http://a\naudit:\n  path: /tmp/a.log\n"));
    assertEquals(1, problems("upstream: http://a\naudit: { format: json }\n").size());
  }

  @Test
  void notifications_webhookWithSecret_fromTheEnvironment() {
    var n = ConfigLoader.parse(Path.of("gw.yaml"),
        "upstream: http://a\nnotifications: { webhook_url: https://hooks.example.com/x, secret: '${HOOK}', max_attempts: 5 }\n",
        Map.of("HOOK", "a-secret-of-enough-length")::get).notifications();
    assertEquals(java.util.Optional.of(java.net.URI.create("https://hooks.example.com/x")), n.webhookUrl());
    assertEquals(5, n.maxAttempts());
    assertTrue(!n.toString().contains("a-secret-of-enough-length"), n.toString());
    assertEquals(GatewayConfig.Notifications.NONE, parse("upstream: http://a\n").notifications());
  }

  @Test
  void notifications_problems_nameTheirPlace() {
    assertEquals(List.of("gw.yaml:3:16: notifications.secret: required with webhook_url (the key that signs each POST)"),
        problems("upstream: http://a\nnotifications:\n  webhook_url: https://h.example.com\n"));
    assertEquals(List.of("gw.yaml:3:16: notifications.webhook_url: 'ftp://h' must be an http:// or https:// URL",
            "gw.yaml:4:11: notifications.secret: must be at least 16 characters"),
        problems("upstream: http://a\nnotifications:\n  webhook_url: ftp://h\n  secret: short\n"));
    assertEquals(1, problems("upstream: http://a\nnotifications: { url: http://h }\n").size());
  }
}

package dev.stepgate.server;

import dev.stepgate.Async;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.observe.DependencyHealth;
import dev.stepgate.identity.AssertionCache;
import dev.stepgate.identity.AssertionSigner;
import dev.stepgate.identity.IdentityHeaders;
import dev.stepgate.identity.SigningKeys;
import dev.stepgate.passkey.PasskeyService;
import dev.stepgate.passkey.PasskeySettings;
import dev.stepgate.passkey.RegistrationMode;
import dev.stepgate.proxy.VerdictResponder;
import dev.stepgate.proxy.ForwardAuth;
import dev.stepgate.proxy.HeldReplay;
import dev.stepgate.admission.IdentityStamp;
import dev.stepgate.proxy.RelayLane;
import dev.stepgate.admission.ServedOrigins;
import dev.stepgate.admission.AdmissionPipeline;
import dev.stepgate.observe.CeremonyMetrics;
import dev.stepgate.observe.CountedSessionStore;
import dev.stepgate.session.SessionStore;
import dev.stepgate.observe.DecisionMetrics;
import dev.stepgate.observe.Funnel;
import dev.stepgate.observe.ProxyLatency;
import dev.stepgate.observe.StoreErrors;
import dev.stepgate.ui.ClientEvents;
import dev.stepgate.observe.RateLimitMetrics;
import dev.stepgate.ratelimit.Limiter;
import dev.stepgate.stepup.StepUpResume;
import dev.stepgate.stepup.AccountStepUps;
import dev.stepgate.revocation.StoreRevocationFeed;
import dev.stepgate.stepup.HeldResume;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.ui.PageRoutes;
import dev.stepgate.ui.PasskeyApi;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Optional;
import dev.stepgate.proxy.ClientConnections;
import dev.stepgate.proxy.GatewayHandler;
import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.proxy.StrictFraming;
import dev.stepgate.proxy.UpstreamForwarder;
import dev.stepgate.proxy.WebSocketForwarder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Wiring only: builds every component from the config, starts the public listener and the admin
 * listener, and stops them. No behaviour lives here.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  /**
   * One event loop per core: the proxy path never blocks, so more loops than cores only add
   * context switches (Vert.x's default is two per core). Overridable for measurements.
   */
  static final int EVENT_LOOPS = Integer.getInteger("stepgate.eventLoops", Runtime.getRuntime().availableProcessors());

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final HttpServer admin;
  private final ClientConnections connections;
  private final List<AutoCloseable> closeables;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private Gateway(Vertx vertx, List<HttpServer> servers, HttpServer admin, ClientConnections connections,
      List<AutoCloseable> closeables) {
    this.vertx = vertx;
    this.servers = List.copyOf(servers);
    this.admin = admin;
    this.connections = connections;
    this.closeables = closeables;
  }

  /**
   * Bolt-on mode's caller source (SPEC section 8), when {@code identity.source} is {@code
   * upstream}: the app's whoami endpoint, with keys from the install's secrets so that every node
   * binds and names app users alike.
   */
  private static Optional<dev.stepgate.ui.BoltOn> boltOn(GatewayConfig config, Vertx vertx, dev.stepgate.credential.Storage storage,
      SessionStore sessions, SessionCookie cookie, Clock clock, List<AutoCloseable> closeables,
      io.micrometer.core.instrument.MeterRegistry registry) {
    var identity = config.identity();
    if (identity.source() != GatewayConfig.IdentitySource.UPSTREAM) return Optional.empty();
    var whoami = identity.whoami().orElseThrow(() -> new IllegalStateException("bolt-on mode needs identity.whoami"));
    var client = new dev.stepgate.proxy.WhoamiClient(vertx, config.upstream(), whoami,
        new dev.stepgate.observe.WhoamiMetrics(registry));
    closeables.add(client::close);
    var users = new dev.stepgate.passkey.AppUsers(storage.users(),
        Async.join(storage.secrets().getOrCreate(dev.stepgate.passkey.AppUsers.ID_KEY, dev.stepgate.passkey.AppUsers.newKey())));
    var bindingKey = Async.join(storage.secrets().getOrCreate("app-session-binding", dev.stepgate.passkey.AppUsers.newKey()));
    var caller = new dev.stepgate.admission.AppSessionCaller(whoami.sessionCookies(), client, users::userId, sessions, cookie,
        clock, bindingKey, whoami.cache());
    return Optional.of(new dev.stepgate.ui.BoltOn(caller, identity.firstEnrollment() == GatewayConfig.FirstEnrollment.INVITE));
  }

  /** Starts the gateway and waits until both listeners are bound. */
  public static Gateway start(GatewayConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** As {@link #start(GatewayConfig)}, reading time from {@code clock} (tests move it by hand). */
  public static Gateway start(GatewayConfig config, Clock clock) {
    return start(config, clock, dev.stepgate.audit.AuditTrail.NONE);
  }

  /**
   * As {@link #start(GatewayConfig, Clock)}, with the security events (SPEC section 9) going to
   * {@code also} as well as to the configured sink (tests read them there).
   */
  public static Gateway start(GatewayConfig config, Clock clock, dev.stepgate.audit.AuditTrail also) {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x 5.0.x's in-flight request gauge never lets go of a request answered before its body
    // whose client then hung up (eclipse-vertx/vert.x#6328, reported on 5.0.11); the gateway
    // answers early on purpose (every refusal), so it would only climb. Connections are counted right.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("vertx.http.server.active.requests")));
    var closeables = new ArrayList<AutoCloseable>();
    // First opened, last closed: whatever shuts down before it can still be audited.
    var sink = AuditSinks.open(config, clock);
    closeables.add(sink);
    dev.stepgate.audit.AuditTrail audit = also == dev.stepgate.audit.AuditTrail.NONE ? sink : entry -> {
      sink.emit(entry);
      also.emit(entry);
    };
    FunctionCounter.builder("stepgate.audit.dropped", sink, dev.stepgate.audit.ClosableAuditTrail::dropped)
        .description("Audit events not written: the writer's queue was full or the write failed").register(registry);
    PolicyReloader reloader;
    try {
      reloader = new PolicyReloader(config.policies(), config.upstreamCaseInsensitive(), PolicyReloader.DEFAULT_INTERVAL, audit);
    } catch (RuntimeException e) {
      sink.close();
      throw e;
    }
    closeables.add(reloader);
    var transport = transport();
    var vertx = Vertx.builder()
        .withTransport(transport)
        .with(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    try {
      var storage = Backends.storage(config.storage());
      closeables.add(storage);
      var keys = Async.join(SigningKeys.load(storage.signingKeys(), clock, config.assertion().keyGrace()));
      var assertions = new AssertionCache(new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME), clock,
          AssertionCache.DEFAULT_MAXIMUM_SIZE);
      var side = Backends.sessions(config, vertx, clock);
      closeables.add(side);
      var storeErrors = new StoreErrors(registry);
      // Every failed session call is counted, not only the probe's: a Redis outage fails each request.
      // The callers' groups, near-cached per node; a change (the CLI's, in the store's record) drops
      // the user's entry, and a sign-in reads them ahead so the session's first request is decided at once.
      var groups = new dev.stepgate.admission.StoredGroups(storage.users());
      SessionStore sessions = new dev.stepgate.admission.GroupPreloadingSessions(
          new CountedSessionStore(side.sessions(), storeErrors), groups);
      // Revocations end sessions wherever they were made: in this process or another node (the
      // bus), or by the admin CLI (the store's change record, read off the event loop).
      var revocations = side.revocations();
      closeables.add(revocations.subscribe(sessions::honour));
      closeables.add(groups.follow(revocations));
      closeables.add(StoreRevocationFeed.start(storage.revocations(), revocations, StoreRevocationFeed.DEFAULT_INTERVAL));
      var cookie = new SessionCookie(config.secureCookies());
      var held = side.held();
      var hygiene = new HeaderHygiene(config.trustedProxies(), cookie);
      var latency = new ProxyLatency(registry.getPrometheusRegistry());
      var forwarder = new UpstreamForwarder(vertx, config, latency);
      var webSockets = new WebSocketForwarder(vertx, config.upstream(), (int) config.proxy().connectTimeout().toMillis());
      var stamp = new IdentityStamp(config.publicOrigin(), config.upstream().toString(), assertions,
          new IdentityHeaders(config.assertion().compatHeaders()));
      var responder = new VerdictResponder(config.publicOrigin(), held, hygiene, config.proxy().heldRequestMaxSize(), clock, audit);
      var decisions = new DecisionMetrics(registry, reloader::current,
          java.util.Arrays.stream(dev.stepgate.stepup.AccountAction.values()).map(dev.stepgate.stepup.AccountAction::ruleName).toList());
      var funnel = new Funnel(new CeremonyMetrics(registry), decisions, storeErrors);
      if (sessions.activeNow().isPresent())
        registry.gauge("stepgate.sessions.active", sessions, s -> s.activeNow().orElse(0));
      var passkeySettings = PasskeySettings.from(config);
      var limiter = new Limiter(config.limits(), side.counters(), passkeySettings.ceremonyTtl(), new RateLimitMetrics(registry));
      var boltOn = boltOn(config, vertx, storage, sessions, cookie, clock, closeables, registry);
      // In bolt-on mode the app's answer carries the groups; the store's are for gateway mode.
      var admission = new AdmissionPipeline(reloader::current, sessions, cookie, groups, stamp,
          new ServedOrigins(config.webauthn().origins()), decisions, limiter, clock, boltOn.map(dev.stepgate.ui.BoltOn::caller));
      var verification = VerificationPool.create();
      closeables.add(verification);
      var passkeys = new PasskeyService(passkeySettings, storage.users(), storage.passkeys(),
          storage.invites(), storage.audit(), side.ceremonies(), clock, verification,
          Async.join(storage.secrets().getOrCreate(PasskeyService.DECOY_KEY, PasskeyService.newDecoyKey())), audit);
      var recovery = new dev.stepgate.passkey.RecoveryService(storage.users(), storage.recovery(), audit, clock,
          Async.join(storage.secrets().getOrCreate(dev.stepgate.passkey.RecoveryService.CODE_KEY,
              dev.stepgate.passkey.RecoveryService.newCodeKey())), config.account().recoveryEndsSessions());
      var stepUps = new StepUpResume(admission, held, config.publicUrl().getHost().toLowerCase(Locale.ROOT));
      var replay = new HeldReplay(new HeldResume(held, sessions, cookie, admission), responder, hygiene, forwarder, audit);
      var mode = RegistrationMode.from(config.registration());

      var storageHealth = new DependencyHealth("storage", config.storage().driver().name().toLowerCase(Locale.ROOT),
          storage.ping(), DependencyProbe.TIMEOUT, clock);
      var sessionsHealth = new DependencyHealth("sessions", config.sessions().driver().name().toLowerCase(Locale.ROOT),
          side.ping(), DependencyProbe.TIMEOUT, clock);
      closeables.add(DependencyProbe.start(vertx, registry, List.of(storageHealth, sessionsHealth), DependencyProbe.INTERVAL,
          storeErrors));
      var routes = GatewayRoutes.create(vertx, () -> readiness(reloader, storageHealth, sessionsHealth,
          config.sessions().driver() == GatewayConfig.SessionDriver.REDIS ? Optional.of(side.subscribed()) : Optional.empty()));
      new PasskeyApi(vertx, passkeys, storage.passkeys(), storage.audit(), sessions, cookie, new HashSet<>(config.webauthn().origins()), mode,
          new PasskeyApi.StepUpFollowUp() {
            @Override
            public java.util.concurrent.CompletionStage<Result> after(String oldId, dev.stepgate.session.Session session,
                Optional<String> heldId, Optional<String> rd) {
              return stepUps.after(oldId, session, heldId, rd).thenApply(next -> new Result(next.resume(), next.refusal()));
            }

            @Override
            public java.util.concurrent.CompletionStage<Optional<String>> ruleFor(String sessionId, Optional<String> heldId, Optional<String> rule) {
              return stepUps.ruleFor(sessionId, heldId, rule);
            }
          }, new AccountStepUps(sessions, config.account().stepUpMaxAge(), clock), clock, limiter, hygiene, funnel, audit,
          recovery).boltOn(boltOn).mount(routes);
      // After the passkey API: its handlers for every API call (body, same-origin check, session lookup) run first.
      new dev.stepgate.ui.AccountApi(vertx, storage.passkeys(), sessions, cookie, audit, hygiene).mount(routes);
      // The beacon's own crude bound, in this node's memory: it only counts (the limiter guards what does work).
      new ClientEvents(funnel, registry, passkeySettings.ceremonyTtl(), hygiene::clientAddress,
          new dev.stepgate.ratelimit.MemoryRateCounter(10_000, clock)).mount(routes);
      new PageRoutes(vertx, sessions, cookie, storage.passkeys(), mode, stepUps, replay, keys::jwksJson,
          new HashSet<>(config.webauthn().origins()), storage.users(), config.webauthn().rpId()).boltOn(boltOn).mount(routes);
      GatewayRoutes.forwardAuth(routes, new ForwardAuth(admission, responder, hygiene, knownHosts(config)));
      GatewayRoutes.fallbacks(routes);
      registry.gauge("stepgate.policy.reload.failures", reloader, r -> r.failedReloads());
      registry.gauge("stepgate.policy.reload.successes", reloader, r -> r.successfulReloads());
      // Another node (or `stepgate keys rotate`) may rotate keys: pick that up (on the store's
      // threads; the keys in force stay so if the store cannot be read).
      vertx.setPeriodic(30_000, id -> keys.reload().thenCompose(done -> keys.dropExpired()).whenComplete((n, err) -> {
        if (err != null) LOG.warning("signing key reload failed (" + Async.cause(err).getClass().getSimpleName()
            + "); the keys loaded before stay in force");
      }));

      var handler = new GatewayHandler(knownHosts(config), hygiene, admission, responder, routes, forwarder, webSockets);
      var relay = RelayLane.create(vertx, config, knownHosts(config), hygiene, admission, latency);
      relay.ifPresent(r -> FunctionCounter.builder("stepgate.proxy.relayed", r, RelayLane::relayed)
          .description("Requests forwarded by the relay; the rest take Vert.x's request path").register(registry));
      var connections = ClientConnections.of(config, hygiene);
      var options = serverOptions(config);
      // One listener per event loop (they share the port), so the proxy path uses every core.
      // Port 0 (tests) means one listener: each instance would otherwise get its own random port.
      int instances = config.listen().port() == 0 ? 1 : EVENT_LOOPS;
      var servers = new java.util.concurrent.CopyOnWriteArrayList<HttpServer>();
      await(vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
        @Override
        public Future<?> start() {
          var listener = vertx.createHttpServer(options).requestHandler(handler)
              // Raw-byte framing checks ahead of Netty's decoder, which repairs some smuggling shapes silently.
              .connectionHandler(connection -> {
                // first: a connection past its peer's cap (or during shutdown) closes before anything is set up
                if (!connections.admit(connection)) return;
                StrictFraming.install(connection, options);
                relay.ifPresent(r -> r.install(connection));
                connections.time(connection); // after the relay: its deadlines go in front of it
              });
          servers.add(listener);
          return listener.listen(config.listen().port(), config.listen().host());
        }
      }, new io.vertx.core.DeploymentOptions().setInstances(instances)));
      var server = servers.get(0);
      // HTTP/1.1 only: scrapers speak it. With h2c on, the JDK client's upgrade sometimes never got
      // its /metrics answer (GatewayCookieTest hung in Gateways.metrics in 2 of 5 runs on a loaded
      // machine, the event loops idle; the cause is not found), and the admin port needs no HTTP/2.
      var admin = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
          .requestHandler(AdminRoutes.create(vertx, registry, config.adminToken().map(token -> new dev.stepgate.ui.AdminApi(
              vertx, token, config.publicUrl().toString(),
              new dev.stepgate.passkey.InviteService(storage.invites(), storage.audit(), clock, audit), recovery,
              storage.users(), storage.passkeys(), storage.audit(), sessions, audit,
              new dev.stepgate.ratelimit.MemoryRateCounter(10_000, clock)))));
      await(admin.listen(config.adminListen().port(), config.adminListen().host()));
      LOG.info("stepgate listening on " + config.listen().host() + ":" + server.actualPort()
          + " in front of " + config.upstream() + " (admin on " + config.adminListen().host() + ":" + admin.actualPort()
          + "; " + EVENT_LOOPS + " event loop(s), " + transportName(vertx, transport) + sinceStart() + ")");
      return new Gateway(vertx, servers, admin, connections, closeables);
    } catch (RuntimeException e) {
      await(vertx.close());
      closeAll(closeables);
      throw e;
    }
  }

  /**
   * The network transport: io_uring where the kernel allows it, else epoll, else Java NIO (Vert.x
   * falls back to NIO by itself when the chosen native library cannot load). {@code
   * -Dstepgate.transport=io_uring|epoll|nio} picks one, for measurements or a kernel that
   * misbehaves.
   */
  static Transport transport() {
    var wanted = System.getProperty("stepgate.transport", "auto");
    return switch (wanted) {
      case "nio" -> Transport.NIO;
      case "epoll" -> Transport.EPOLL != null ? Transport.EPOLL : Transport.NIO;
      case "io_uring" -> Transport.IO_URING != null ? Transport.IO_URING : Transport.NIO;
      default -> {
        if (Transport.IO_URING != null && Transport.IO_URING.available()) yield Transport.IO_URING;
        if (Transport.EPOLL != null && Transport.EPOLL.available()) yield Transport.EPOLL;
        yield Transport.NIO;
      }
    };
  }

  private static String transportName(Vertx vertx, Transport wanted) {
    if (!vertx.isNativeTransportEnabled()) {
      var cause = vertx.unavailableNativeTransportCause();
      return "nio transport" + (wanted != Transport.NIO && cause != null ? " (" + wanted.name() + " unavailable: "
          + cause.getClass().getSimpleName() + ")" : "");
    }
    return wanted.name() + " transport";
  }

  /**
   * The body of {@code readyz}: the policy in force and each dependency's last probe. The node
   * stays ready (200) while a shared dependency is down: every node shares it, so taking them all
   * out of the load balancer would only stop the public routes they still serve; what needs the
   * dependency fails closed (503) meanwhile. {@code status} is {@code degraded} while anything is
   * not as it should be, so a monitor has one field to watch.
   *
   * @param pubsub with Redis, whether this node hears other nodes' invalidations now
   */
  /** {@code ", N ms after the JVM started"}, for the start-up line (empty if the OS cannot say). */
  private static String sinceStart() {
    return ProcessHandle.current().info().startInstant()
        .map(t -> ", " + java.time.Duration.between(t, java.time.Instant.now()).toMillis() + " ms after the JVM started")
        .orElse("");
  }

  static JsonObject readiness(PolicyReloader reloader, DependencyHealth storage, DependencyHealth sessions,
      Optional<java.util.function.BooleanSupplier> pubsub) {
    boolean degraded = false;
    var policy = new JsonObject().put("status", reloader.lastError().isPresent() ? "stale" : "ok")
        .put("failedReloads", reloader.failedReloads());
    reloader.lastError().ifPresent(e -> policy.put("lastError", e));
    // A broken reload keeps the last good policy in force: still ready, but it shows here.
    degraded |= reloader.lastError().isPresent();
    var storageJson = dependency(storage);
    var sessionsJson = dependency(sessions);
    degraded |= storage.last().state() == DependencyHealth.State.DOWN || sessions.last().state() == DependencyHealth.State.DOWN;
    // Redis's pub/sub is what this node hears other nodes' revocations on: without it the node
    // still fails closed (no near cache is used), so it stays ready, but the state shows.
    if (pubsub.isPresent()) {
      boolean live = pubsub.get().getAsBoolean();
      sessionsJson.put("pubsub", live ? "ok" : "down");
      degraded |= !live;
    }
    return new JsonObject().put("ready", true).put("status", degraded ? "degraded" : "ok").put("policy", policy)
        .put("storage", storageJson).put("sessions", sessionsJson);
  }

  private static JsonObject dependency(DependencyHealth d) {
    var last = d.last();
    var json = new JsonObject().put("driver", d.driver()).put("status", last.state().name().toLowerCase(Locale.ROOT))
        .put("since", last.since().toString());
    last.reason().ifPresent(r -> json.put("reason", r));
    return json;
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        LOG.warning("close failed: " + e.getClass().getSimpleName());
      }
    }
  }

  static HttpServerOptions serverOptions(GatewayConfig config) {
    var options = new HttpServerOptions()
        .setMaxHeaderSize(config.proxy().maxHeaderSize())
        .setMaxInitialLineLength(8192)
        .setHandle100ContinueAutomatically(true)
        // No h2c upgrade on the public listener: HTTP/2 only with TLS (ALPN), one less parser to trust.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setIdleTimeout((int) backstopIdle(config.proxy()).toMillis());
    config.tls().ifPresent(tls -> options.setSsl(true).setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString())));
    return options;
  }

  /**
   * Vert.x's own idle timeout (no byte either way), a backstop for what {@link ClientConnections}
   * does not time: HTTP/2 connections and WebSockets. 120 s as before, or longer when a configured
   * timeout is, so it never cuts an HTTP/1.x exchange those timeouts allow.
   */
  static java.time.Duration backstopIdle(GatewayConfig.Proxy proxy) {
    var backstop = java.time.Duration.ofSeconds(120);
    for (var d : List.of(proxy.idleTimeout(), proxy.responseTimeout(), proxy.bodyTimeout(), proxy.headerTimeout()))
      if (d.compareTo(backstop) >= 0) backstop = d.plusSeconds(1);
    return backstop;
  }

  static java.util.Set<String> knownHosts(GatewayConfig config) {
    var hosts = new HashSet<String>();
    hosts.add(config.publicUrl().getHost().toLowerCase(Locale.ROOT));
    for (var origin : config.webauthn().origins()) hosts.add(URI.create(origin).getHost().toLowerCase(Locale.ROOT));
    return hosts;
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  /** Stops at once: every connection closes, whatever is in flight. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    await(vertx.close());
    closeAll(closeables);
  }

  /**
   * Stops gracefully (SIGTERM): the listener stops accepting at once; connections between requests
   * close; requests in flight have {@code grace} to finish (their responses say {@code Connection:
   * close}); then whatever is left is cut and everything stops. Returns whether every connection
   * finished within the grace.
   */
  public boolean shutdown(java.time.Duration grace) {
    if (!closed.compareAndSet(false, true)) return true;
    long deadline = System.nanoTime() + grace.toNanos();
    LOG.info("stepgate shutting down: no new connections; " + connections.open() + " open, in-flight requests have "
        + grace.toMillis() + " ms to finish");
    connections.drain(); // before Vert.x's shutdown, so the closes it asks for wait for relayed exchanges
    var stopped = new ArrayList<Future<?>>();
    for (var s : servers) stopped.add(s.shutdown(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    boolean finished = connections.awaitClosed(deadline);
    if (!finished) {
      LOG.warning("shutdown grace of " + grace.toMillis() + " ms over: cutting " + connections.open() + " connection(s)");
      connections.closeAll();
    }
    try {
      Future.all(stopped).toCompletionStage().toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warning("listener shutdown did not complete: " + e.getClass().getSimpleName());
    }
    await(vertx.close());
    closeAll(closeables);
    LOG.info("stepgate stopped");
    return finished;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof RuntimeException r) throw r;
      throw new StartFailed(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
  }

  /** The gateway could not start (port taken, bad TLS files...). */
  public static final class StartFailed extends dev.stepgate.StepgateException {
    private static final long serialVersionUID = 1L;

    StartFailed(String message) {
      super("start-failed", 500, message);
    }
  }
}

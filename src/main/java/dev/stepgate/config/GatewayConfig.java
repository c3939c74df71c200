package dev.stepgate.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole gateway configuration (SPEC section 2), validated and immutable. Built only by {@link
 * ConfigLoader}; every invariant holds once an instance exists.
 */
public record GatewayConfig(
    Path source,
    HostPort listen,
    URI publicUrl,
    URI upstream,
    boolean upstreamCaseInsensitive,
    Path policies,
    WebAuthn webauthn,
    Registration registration,
    Storage storage,
    Sessions sessions,
    HostPort adminListen,
    Optional<String> adminToken,
    List<Cidr> trustedProxies,
    Optional<Tls> tls,
    Identity identity,
    Proxy proxy,
    Assertion assertion,
    Account account,
    dev.stepgate.ratelimit.Limits limits,
    Log log,
    Audit audit,
    Notifications notifications) {

  public GatewayConfig {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** True when the gateway serves HTTPS itself or sits behind an https public URL. */
  public boolean secureCookies() {
    return tls.isPresent() || "https".equals(publicUrl.getScheme());
  }

  /** The browser origin of {@link #publicUrl()}: scheme, host and port only. */
  public String publicOrigin() {
    var u = publicUrl;
    var port = u.getPort();
    return u.getScheme() + "://" + u.getHost() + (port == -1 ? "" : ":" + port);
  }

  public record HostPort(String host, int port) {
    public HostPort {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535");
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public enum UserVerification { REQUIRED, PREFERRED }

  public enum Attestation { NONE, DIRECT }

  public enum Registration { OPEN, INVITE, CLOSED }

  public enum StorageDriver { EMBEDDED, POSTGRES }

  public enum SessionDriver { MEMORY, REDIS }

  public enum IdentitySource { GATEWAY, UPSTREAM }

  public enum FirstEnrollment { INVITE, ON_STEP_UP }

  public enum LogFormat { TEXT, JSON }

  public enum LogLevel { DEBUG, INFO, WARNING }

  public enum AuditSink { STDOUT, FILE }

  /**
   * The audit trail ({@code audit}, SPEC section 9): one JSON line per security event.
   *
   * @param sink {@code stdout} (the default) or {@code file}
   * @param path the file of {@code sink: file}, appended to (default {@link #DEFAULT_PATH})
   */
  public record Audit(AuditSink sink, Path path) {
    public static final Path DEFAULT_PATH = Path.of("./data/audit.log");
    public static final Audit DEFAULT = new Audit(AuditSink.STDOUT, DEFAULT_PATH);

    public Audit {
      java.util.Objects.requireNonNull(sink, "sink");
      java.util.Objects.requireNonNull(path, "path");
    }
  }

  /**
   * Where account changes are announced ({@code notifications}): a signed POST per passkey added
   * or revoked and per recovery code or link used.
   *
   * @param webhookUrl the http(s) URL to POST to; empty: no notifications
   * @param secret the HMAC-SHA256 key of the {@code Stepgate-Signature} header; {@link
   *     #toString()} leaves it out
   * @param maxAttempts how many times one notification is tried (backoff 1s, 2s, 4s, ... between)
   */
  public record Notifications(Optional<URI> webhookUrl, Optional<String> secret, int maxAttempts) {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Notifications NONE = new Notifications(Optional.empty(), Optional.empty(), DEFAULT_MAX_ATTEMPTS);

    public Notifications {
      if (maxAttempts < 1 || maxAttempts > 10) throw new IllegalArgumentException("maxAttempts must be 1..10");
      if (webhookUrl.isPresent() && secret.isEmpty()) throw new IllegalArgumentException("a webhook needs a secret");
    }

    @Override
    public String toString() {
      return "Notifications[webhookUrl=" + webhookUrl + ", secret=" + secret.map(x -> "***") + ", maxAttempts=" + maxAttempts + "]";
    }
  }

  /**
   * The process log ({@code log}).
   *
   * @param format {@code text} (one line for people) or {@code json} (one object per line)
   * @param level {@code debug} adds one line per request (logger {@code dev.stepgate.access})
   */
  public record Log(LogFormat format, LogLevel level) {
    public static final Log DEFAULT = new Log(LogFormat.TEXT, LogLevel.INFO);

    public Log {
      java.util.Objects.requireNonNull(format, "format");
      java.util.Objects.requireNonNull(level, "level");
    }
  }

  /**
   * The relying party (SPEC section 2 {@code webauthn}).
   *
   * @param attestationRoots what attestation chains must reach when {@code allowedAaguids} is
   *     set: {@code attestation_roots} (PEM) and {@code mds_file} (FIDO MDS3) together
   */
  public record WebAuthn(
      String rpId,
      String rpName,
      List<String> origins,
      UserVerification userVerification,
      Attestation attestation,
      List<String> allowedAaguids,
      AttestationRoots attestationRoots) {
    public WebAuthn {
      origins = List.copyOf(origins);
      allowedAaguids = List.copyOf(allowedAaguids);
    }
  }

  /**
   * Where credentials and keys are kept.
   *
   * @param driver the backend
   * @param path the embedded store's directory
   * @param url the postgres URL ({@code storage.url}); it may hold a password, which {@link
   *     #toString()} leaves out
   * @param allowSharedPermissions accept an existing embedded store that its group or others may
   *     read (default false: refuse to start)
   */
  public record Storage(StorageDriver driver, Path path, Optional<String> url, boolean allowSharedPermissions) {
    /** As the record's, with the URL's password left out. */
    @Override
    public String toString() {
      return "Storage[driver=" + driver + ", path=" + path + ", url=" + url.map(Storage::withoutPassword)
          + ", allowSharedPermissions=" + allowSharedPermissions + "]";
    }

    static String withoutPassword(String url) {
      return url.replaceFirst("^([a-z]+://[^:/@?#]*):[^@/?#]*@", "$1:***@").replaceAll("(?i)([?&]password=)[^&#]*", "$1***");
    }
  }

  /**
   * Where sessions, ceremonies and held requests live.
   *
   * @param driver the backend
   * @param url the Redis server or Sentinels ({@code sessions.url}; Redis only)
   * @param idleTimeout a session unused this long ends
   * @param maxLifetime no session lives longer than this from its sign-in
   */
  public record Sessions(
      SessionDriver driver, Optional<SessionsEndpoint> url, Duration idleTimeout, Duration maxLifetime) {}

  public record Tls(Path certFile, Path keyFile) {}

  public record Identity(IdentitySource source, Optional<Whoami> whoami, FirstEnrollment firstEnrollment) {}

  /**
   * Bolt-on mode's question to the app (SPEC section 8).
   *
   * @param path the app's endpoint that names the signed-in user
   * @param username RFC 6901 pointer to the username in its JSON answer
   * @param groups RFC 6901 pointer to an array of group names, if the app has groups
   * @param sessionCookies the app's session cookies: the only ones sent to it, and what stepgate's
   *     state is bound to
   * @param cache how long an answer is reused for the same cookies ({@code 0s}: never)
   */
  public record Whoami(String path, String username, Optional<String> groups, List<String> sessionCookies, Duration cache) {
    public Whoami {
      sessionCookies = List.copyOf(sessionCookies);
    }
  }

  /**
   * Proxy limits and timeouts (an extension of SPEC section 2, all with defaults).
   *
   * @param connectTimeout upstream TCP connect timeout
   * @param responseTimeout time allowed for the upstream's response headers
   * @param maxHeaderSize largest request header block accepted (bytes); larger is 431
   * @param maxBodySize largest request body forwarded (bytes); larger is 413; 0 = unlimited
   * @param heldRequestMaxSize largest form POST held across a step-up (bytes)
   * @param heldRequestsPerSession how many form POSTs one session may hold at once; past it a new
   *     one is refused (the held ones stay)
   * @param heldRequestsMaxBytes how many bytes (bodies, headers and bookkeeping) all held POSTs of
   *     the process may occupy together; past it a new one is refused
   * @param poolSize upstream keep-alive connections per event loop
   * @param relay whether admitted HTTP/1.1 requests take the relay (the fast path) instead of
   *     Vert.x's request path; both forward the same way
   * @param headerTimeout how long a client may take to send a whole request head, from its first
   *     byte (from the connection's start for its first request); then 408 and the connection closes
   * @param idleTimeout how long a keep-alive connection may sit between requests; then it closes
   * @param bodyTimeout how long a request body may go without a byte; then 408 (or, once an answer
   *     has begun, the connection closes)
   * @param maxConnectionsPerIp open connections one peer address may hold; a trusted proxy's are
   *     not counted
   * @param shutdownGrace how long in-flight requests may take to finish after SIGTERM
   */
  public record Proxy(
      Duration connectTimeout,
      Duration responseTimeout,
      int maxHeaderSize,
      long maxBodySize,
      int heldRequestMaxSize,
      int heldRequestsPerSession,
      long heldRequestsMaxBytes,
      int poolSize,
      boolean relay,
      Duration headerTimeout,
      Duration idleTimeout,
      Duration bodyTimeout,
      int maxConnectionsPerIp,
      Duration shutdownGrace) {
    public Proxy {
      if (headerTimeout.isNegative() || headerTimeout.isZero()) throw new IllegalArgumentException("headerTimeout must be positive");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idleTimeout must be positive");
      if (bodyTimeout.isNegative() || bodyTimeout.isZero()) throw new IllegalArgumentException("bodyTimeout must be positive");
      if (maxConnectionsPerIp < 1) throw new IllegalArgumentException("maxConnectionsPerIp must be at least 1");
      if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative");
      if (heldRequestsPerSession < 1) throw new IllegalArgumentException("heldRequestsPerSession must be at least 1");
      if (heldRequestsMaxBytes < heldRequestMaxSize)
        throw new IllegalArgumentException("heldRequestsMaxBytes must not be smaller than heldRequestMaxSize");
    }
  }

  /**
   * What the upstream receives besides {@code X-Stepgate-Assertion} and {@code X-Stepgate-User}.
   *
   * @param compatHeaders opt-in header families: {@code authelia} (Remote-User, Remote-Email,
   *     Remote-Name), {@code oauth2-proxy} (X-Forwarded-User, X-Forwarded-Email)
   * @param keyGrace how long a rotated-out key stays in the JWKS
   */
  public record Assertion(List<String> compatHeaders, Duration keyGrace) {
    public Assertion {
      compatHeaders = List.copyOf(compatHeaders);
    }
  }

  /**
   * What changing the account itself needs (SPEC section 4: adding a passkey, revoking one, new
   * recovery codes).
   *
   * @param stepUpMaxAge how old the user-verified step-up made for such an action may be, with an
   *     existing passkey of the account; greater than 0 and at most {@link #MAX_STEP_UP_MAX_AGE}
   */
  public record Account(Duration stepUpMaxAge, boolean recoveryEndsSessions) {
    /** An account action needs a recent check; hours-old step-ups defeat the point. */
    public static final Duration MAX_STEP_UP_MAX_AGE = Duration.ofHours(1);

    /** Recovery leaves the user's other sessions alone. */
    public Account(Duration stepUpMaxAge) {
      this(stepUpMaxAge, false);
    }

    public Account {
      if (stepUpMaxAge.isNegative() || stepUpMaxAge.isZero() || stepUpMaxAge.compareTo(MAX_STEP_UP_MAX_AGE) > 0)
        throw new IllegalArgumentException("stepUpMaxAge must be greater than 0 and at most 1h");
    }
  }
}

package dev.stepgate.server;

import dev.stepgate.config.PolicyFiles;
import dev.stepgate.policy.PolicyException;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds the policy set in force and keeps it in step with the files (SPEC section 3): a daemon
 * thread re-reads the policy path every 500 ms and applies a valid change at once. A broken change
 * is logged (one line per problem, {@code file:line:col: message}) and counted, and the last good
 * set stays in force: a typo never opens a route.
 */
public final class PolicyReloader implements AutoCloseable {
  /** How often the files are compared with the set in force. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

  private static final Logger LOG = Logger.getLogger(PolicyReloader.class.getName());

  private final Path path;
  private final boolean caseInsensitive;
  private final AtomicReference<PolicySet> current = new AtomicReference<>();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong successful = new AtomicLong();
  private final ScheduledExecutorService poller;
  private final dev.stepgate.audit.AuditTrail audit;
  private byte[] appliedDigest;
  private byte[] seenDigest;

  /** Loads {@code path} and polls it every {@link #DEFAULT_INTERVAL}. */
  public PolicyReloader(Path path, boolean caseInsensitive) {
    this(path, caseInsensitive, DEFAULT_INTERVAL);
  }

  /**
   * Loads {@code path} (a policy file or directory) and polls it every {@code interval}.
   *
   * @throws PolicyException if the initial files are missing or broken; nothing is started then
   */
  public PolicyReloader(Path path, boolean caseInsensitive, Duration interval) {
    this(path, caseInsensitive, interval, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As {@link #PolicyReloader(Path, boolean, Duration)}; each applied or refused change is an {@code audit} event. */
  public PolicyReloader(Path path, boolean caseInsensitive, Duration interval, dev.stepgate.audit.AuditTrail audit) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.path = Objects.requireNonNull(path, "path");
    this.caseInsensitive = caseInsensitive;
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive");
    }
    List<PolicySource> sources = PolicyFiles.read(path);
    current.set(PolicyParser.parse(sources, caseInsensitive));
    appliedDigest = digest(sources);
    seenDigest = appliedDigest;
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stepgate-policy-reload");
      t.setDaemon(true);
      return t;
    });
    poller.execute(() -> logWarnings(current.get()));
    long ms = interval.toMillis();
    poller.scheduleWithFixedDelay(this::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** The policy set in force; never null. */
  public PolicySet current() {
    return current.get();
  }

  /** The problems of the newest broken change, one per line, while it is not fixed. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError.get());
  }

  /** How many distinct broken changes were refused since start. */
  public long failedReloads() {
    return failed.get();
  }

  /** How many changes were applied since start (the initial load not included). */
  public long successfulReloads() {
    return successful.get();
  }

  /** Stops polling; {@link #current()} keeps answering with the last set. */
  @Override
  public void close() {
    poller.shutdownNow();
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      // The poller must survive anything; the set in force stays.
      LOG.log(Level.WARNING, "policy reload failed: " + e.getClass().getName());
    }
  }

  /** Compares the files with what was seen last; applies or refuses a change. */
  synchronized void poll() {
    List<PolicySource> sources;
    try {
      sources = PolicyFiles.read(path);
    } catch (PolicyException e) {
      refuse(digestOf(e.problems()), e.problems());
      return;
    }
    byte[] digest = digest(sources);
    if (Arrays.equals(digest, seenDigest)) return;
    seenDigest = digest;
    if (Arrays.equals(digest, appliedDigest)) {
      // Back to the content in force (a broken edit was undone): nothing to apply.
      lastError.set(null);
      return;
    }
    try {
      PolicySet set = PolicyParser.parse(sources, caseInsensitive);
      current.set(set);
      appliedDigest = digest;
      lastError.set(null);
      successful.incrementAndGet();
      LOG.info("policy reloaded from " + path + ": " + set.rules().size() + " rules");
      audit.emit(dev.stepgate.audit.AuditEntry.of("policy_reloaded").with("path", path.toString())
          .with("rules", Integer.toString(set.rules().size())));
      logWarnings(set);
    } catch (PolicyException e) {
      refuse(digest, e.problems());
    }
  }

  /** Shadowed rules are legal but almost always a mistake; say so where operators look. */
  private static void logWarnings(PolicySet set) {
    try {
      for (String w : set.warnings()) LOG.warning(w);
    } catch (RuntimeException e) {
      LOG.warning("policy warnings could not be computed: " + e.getClass().getName());
    }
  }

  private void refuse(byte[] digest, List<String> problems) {
    if (Arrays.equals(digest, seenDigest) && lastError.get() != null) return;
    seenDigest = digest;
    failed.incrementAndGet();
    lastError.set(String.join("\n", problems));
    LOG.warning("policy change refused; the last good policy set stays in force ("
        + problems.size() + (problems.size() == 1 ? " problem)" : " problems)"));
    for (String p : problems) LOG.warning(p);
    audit.emit(dev.stepgate.audit.AuditEntry.of("policy_reload_failed").with("path", path.toString())
        .with("problems", Integer.toString(problems.size())));
  }

  private static byte[] digestOf(List<String> problems) {
    return digest(List.of(new PolicySource("(error)", String.join("\n", problems))));
  }

  private static byte[] digest(List<PolicySource> sources) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (PolicySource s : sources) {
        md.update(s.name().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(s.text().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}

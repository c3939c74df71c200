package dev.stepgate.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.stepgate.identity.SigningKeyStore.StoredSigningKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's assertion signing keys: one current EC P-256 key that signs, plus retired keys
 * that stay published in the JWKS for a grace period so that assertions they signed still verify
 * (SPEC section 1 {@code keys rotate}, section 6).
 *
 * <p>Keys live in a {@link SigningKeyStore} shared by every node. The first start on an empty
 * store generates a key; every later start loads it. A stored key that cannot be parsed is an
 * {@link IdentityException} naming its kid: the gateway fails closed and never replaces it, since a
 * silent replacement would invalidate what other nodes sign and hide the corruption.
 *
 * <p>Thread-safe: readers see an immutable snapshot that {@link #reload()}, {@link #rotate()} and
 * {@link #dropExpired()} swap atomically. Those three (and {@link #load}) go to the store and
 * return at once with a stage. {@link #currentKid()}, {@link #keys()} and {@link #jwksJson()}
 * never touch the store.
 */
public final class SigningKeys {

  /** How long a retired key stays published unless configured otherwise. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);

  private final SigningKeyStore store;
  private final Clock clock;
  private final Duration grace;
  private volatile Snapshot snapshot;

  private SigningKeys(SigningKeyStore store, Clock clock, Duration grace, Snapshot snapshot) {
    this.store = store;
    this.clock = clock;
    this.grace = grace;
    this.snapshot = snapshot;
  }

  /**
   * Loads the keys from {@code store}, generating and storing the first key if the store holds
   * no usable current key. The stage fails with an {@link IdentityException} if a stored key
   * cannot be parsed (the store is left unchanged).
   *
   * @param grace how long a retired key stays published; must be positive
   */
  public static CompletionStage<SigningKeys> load(SigningKeyStore store, Clock clock, Duration grace) {
    if (store == null) throw new IllegalArgumentException("store must not be null");
    if (clock == null) throw new IllegalArgumentException("clock must not be null");
    if (grace == null || grace.isNegative() || grace.isZero())
      throw new IllegalArgumentException("grace must be positive");
    return loadOrCreate(store, clock, grace).thenApply(l -> new SigningKeys(store, clock, grace, l.require()));
  }

  private static CompletionStage<Loaded> loadOrCreate(SigningKeyStore store, Clock clock, Duration grace) {
    return read(store, clock, grace).thenCompose(loaded -> {
      if (loaded.current().isPresent()) return CompletableFuture.completedFuture(loaded);
      return store.add(generate(clock)).thenCompose(done -> read(store, clock, grace));
    });
  }

  /** The key that signs now. Cheap: a volatile read. Package-private: only the signer signs. */
  CurrentKey current() {
    return snapshot.current;
  }

  /** The kid of the key that signs now. */
  public String currentKid() {
    return snapshot.current.kid();
  }

  /** How long a retired key stays published. */
  public Duration grace() {
    return grace;
  }

  /**
   * The JWK set (RFC 7517 §5) that verifies assertions: public parts only of the current key and
   * of every other key not retired, or retired less than {@link #grace()} ago. Each key carries
   * {@code kid}, {@code kty}, {@code crv}, {@code x}, {@code y}, {@code use=sig}, {@code
   * alg=ES256}.
   */
  public String jwksJson() {
    var now = clock.instant();
    var keys = new ArrayList<JWK>();
    for (var k : snapshot.published) {
      if (k.publishedAt(now, grace)) keys.add(k.publicJwk);
    }
    return new JWKSet(keys).toString(true);
  }

  /** Every published key, unretired first then newest first, without key material (for {@code keys list}). */
  public List<KeyInfo> keys() {
    return snapshot.published.stream()
        .map(k -> new KeyInfo(k.kid(), k.createdAt, k.retiredAt, k.retiredAt.map(r -> r.plus(grace))))
        .toList();
  }

  /**
   * Re-reads the store, so a rotation made by another node (or by {@code keys rotate}) takes
   * effect here. The stage fails with an {@link IdentityException} if a stored key cannot be
   * parsed or no key is current; the keys loaded before stay in force.
   */
  public CompletionStage<Void> reload() {
    return read(store, clock, grace).thenAccept(l -> snapshot = l.require());
  }

  /**
   * Makes a new key current and retires every key that was current. The new key is stored before
   * the old ones are retired, so the store never lacks a current key.
   *
   * @return what changed, for the operator
   */
  public CompletionStage<Rotation> rotate() {
    return read(store, clock, grace).thenCompose(loaded -> {
      var before = loaded.require();
      var fresh = generate(clock);
      var now = clock.instant();
      var retired = before.published.stream().filter(k -> k.retiredAt.isEmpty()).map(LoadedKey::kid).toList();
      CompletionStage<Void> done = store.add(fresh);
      for (var kid : retired) done = done.thenCompose(v -> store.retire(kid, now));
      return done.thenCompose(v -> read(store, clock, grace)).thenApply(after -> {
        snapshot = after.require();
        return new Rotation(fresh.kid(), retired, now.plus(grace));
      });
    });
  }

  /**
   * Removes from the store every key retired more than {@link #grace()} ago; such keys are no
   * longer published anyway.
   *
   * @return how many keys the store dropped
   */
  public CompletionStage<Integer> dropExpired() {
    return store.dropRetiredBefore(clock.instant().minus(grace))
        .thenCompose(dropped -> read(store, clock, grace).thenApply(after -> {
          snapshot = after.require();
          return dropped;
        }));
  }

  @Override
  public String toString() {
    // Key ids only: the private key never reaches a log line.
    return "SigningKeys[current=" + snapshot.current.kid() + ", keys=" + snapshot.published.size() + "]";
  }

  private static StoredSigningKey generate(Clock clock) {
    try {
      var key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
      // RFC 7638 thumbprint: a stable, collision-free kid derived from the public key.
      var kid = key.computeThumbprint().toString();
      var withKid = new ECKey.Builder(key).keyID(kid).build();
      return new StoredSigningKey(kid, withKid.toJSONString(), clock.instant(), Optional.empty());
    } catch (JOSEException e) {
      throw new IdentityException(IdentityException.KEY_UNUSABLE, "cannot generate an EC P-256 signing key", e);
    }
  }

  private static CompletionStage<Loaded> read(SigningKeyStore store, Clock clock, Duration grace) {
    return store.all().thenApply(stored -> parseAll(stored, clock.instant(), grace));
  }

  private static Loaded parseAll(List<StoredSigningKey> all, Instant now, Duration grace) {
    var published = new ArrayList<LoadedKey>();
    for (var stored : all) {
      // A key past its grace is unused; it need not parse (dropExpired removes it).
      if (stored.retiredAt().isPresent() && !stored.retiredAt().get().plus(grace).isAfter(now)) continue;
      published.add(parse(stored));
    }
    // Unretired first, then newest first; kid breaks ties so every node picks the same current key.
    published.sort(Comparator.comparing((LoadedKey k) -> k.retiredAt.isPresent())
        .thenComparing(k -> k.createdAt, Comparator.reverseOrder())
        .thenComparing(LoadedKey::kid));
    // The newest key not retired signs; another unretired key (two nodes that started at once on
    // an empty store) stays published so whatever it signed verifies.
    var current = published.stream().filter(k -> k.retiredAt.isEmpty()).findFirst();
    return new Loaded(current.map(LoadedKey::current), List.copyOf(published));
  }

  private static LoadedKey parse(StoredSigningKey stored) {
    var kid = stored.kid();
    ECKey key;
    try {
      key = JWK.parse(stored.privateJwk()).toECKey();
    } catch (ParseException | RuntimeException e) {
      // The parser's message may quote the stored JSON, i.e. the private key: keep only its class.
      throw unusable(kid, "does not parse as a JWK (" + e.getClass().getSimpleName() + ")");
    }
    if (key == null) throw unusable(kid, "is not an EC key");
    if (!Curve.P_256.equals(key.getCurve())) throw unusable(kid, "is not on curve P-256");
    if (!key.isPrivate()) throw unusable(kid, "has no private part");
    if (key.getKeyID() != null && !key.getKeyID().equals(kid))
      throw unusable(kid, "carries a different kid inside its JWK");
    try {
      var signer = new ECDSASigner(key);
      var publicJwk = new ECKey.Builder(key.toPublicJWK())
          .keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).build();
      return new LoadedKey(new CurrentKey(kid, signer), publicJwk, stored.createdAt(), stored.retiredAt());
    } catch (JOSEException | IllegalStateException e) {
      throw unusable(kid, "cannot sign (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static IdentityException unusable(String kid, String why) {
    return new IdentityException(IdentityException.KEY_UNUSABLE,
        "stored signing key " + kid + " " + why + "; refusing to start with it or to replace it. "
            + "Restore it from backup, or remove it deliberately with the storage tools");
  }

  /**
   * The key that signs now: its kid and a thread-safe ES256 signer. Deliberately holds no
   * printable key material.
   */
  record CurrentKey(String kid, JWSSigner signer) {
    CurrentKey {
      if (kid == null || kid.isBlank()) throw new IllegalArgumentException("kid must not be blank");
      if (signer == null) throw new IllegalArgumentException("signer must not be null");
    }

    @Override
    public String toString() {
      return "CurrentKey[kid=" + kid + "]";
    }
  }

  /**
   * A key as listed for operators.
   *
   * @param publishedUntil when it leaves the JWKS; empty while it is not retired
   */
  public record KeyInfo(String kid, Instant createdAt, Optional<Instant> retiredAt, Optional<Instant> publishedUntil) {}

  /**
   * The outcome of {@link #rotate()}.
   *
   * @param newKid the key that signs from now on
   * @param retiredKids the keys that signed until now (normally one)
   * @param retiredPublishedUntil when the retired keys leave the JWKS
   */
  public record Rotation(String newKid, List<String> retiredKids, Instant retiredPublishedUntil) {
    public Rotation {
      retiredKids = List.copyOf(retiredKids);
    }
  }

  private record LoadedKey(CurrentKey current, ECKey publicJwk, Instant createdAt, Optional<Instant> retiredAt) {
    String kid() {
      return current.kid();
    }

    boolean publishedAt(Instant now, Duration grace) {
      return retiredAt.isEmpty() || retiredAt.get().plus(grace).isAfter(now);
    }

    @Override
    public String toString() {
      return "LoadedKey[kid=" + kid() + "]";
    }
  }

  private record Loaded(Optional<CurrentKey> current, List<LoadedKey> published) {
    Snapshot require() {
      var c = current.orElseThrow(() -> new IdentityException(IdentityException.KEY_UNUSABLE,
          "the signing key store holds no current key; run `stepgate keys rotate` to create one"));
      return new Snapshot(c, published);
    }
  }

  private record Snapshot(CurrentKey current, List<LoadedKey> published) {}
}

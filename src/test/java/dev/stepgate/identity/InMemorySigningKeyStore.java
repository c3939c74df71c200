package dev.stepgate.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link SigningKeyStore} in a map, for tests; shared by two {@link SigningKeys} it acts as two nodes' database. */
public final class InMemorySigningKeyStore implements SigningKeyStore {
  private final Map<String, StoredSigningKey> keys = new LinkedHashMap<>();
  public int adds;

  @Override
  public synchronized List<StoredSigningKey> signingKeys() {
    var list = new ArrayList<>(keys.values());
    list.sort(Comparator.comparing(StoredSigningKey::createdAt).reversed());
    return list;
  }

  @Override
  public synchronized void addSigningKey(StoredSigningKey key) {
    if (keys.containsKey(key.kid())) throw new IllegalStateException("kid exists: " + key.kid());
    keys.put(key.kid(), key);
    adds++;
  }

  @Override
  public synchronized void retireSigningKey(String kid, Instant retiredAt) {
    var k = keys.get(kid);
    if (k == null) throw new IllegalStateException("no such kid: " + kid);
    keys.put(kid, new StoredSigningKey(kid, k.privateJwk(), k.createdAt(), Optional.of(retiredAt)));
  }

  @Override
  public synchronized int dropRetiredBefore(Instant before) {
    var drop = keys.values().stream()
        .filter(k -> k.retiredAt().isPresent() && k.retiredAt().get().isBefore(before))
        .map(StoredSigningKey::kid)
        .toList();
    drop.forEach(keys::remove);
    return drop.size();
  }

  /** Overwrites a stored key's JWK, as disk corruption would. */
  public synchronized void corrupt(String kid, String privateJwk) {
    var k = keys.get(kid);
    keys.put(kid, new StoredSigningKey(kid, privateJwk, k.createdAt(), k.retiredAt()));
  }

  public synchronized List<StoredSigningKey> snapshot() {
    return List.copyOf(signingKeys());
  }
}

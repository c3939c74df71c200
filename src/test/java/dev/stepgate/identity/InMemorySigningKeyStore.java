package dev.stepgate.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@link SigningKeyStore} in a map, for tests; shared by two {@link SigningKeys} it acts as two nodes' database. */
public final class InMemorySigningKeyStore implements SigningKeyStore {
  private final Map<String, StoredSigningKey> keys = new LinkedHashMap<>();
  public int adds;

  @Override
  public synchronized CompletionStage<List<StoredSigningKey>> all() {
    return CompletableFuture.completedFuture(list());
  }

  private List<StoredSigningKey> list() {
    var list = new ArrayList<>(keys.values());
    list.sort(Comparator.comparing(StoredSigningKey::createdAt).reversed());
    return list;
  }

  @Override
  public synchronized CompletionStage<Void> add(StoredSigningKey key) {
    if (keys.containsKey(key.kid())) return CompletableFuture.failedFuture(new IllegalStateException("kid exists: " + key.kid()));
    keys.put(key.kid(), key);
    adds++;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Void> retire(String kid, Instant retiredAt) {
    var k = keys.get(kid);
    if (k == null) return CompletableFuture.failedFuture(new IllegalStateException("no such kid: " + kid));
    if (k.retiredAt().isEmpty()) keys.put(kid, new StoredSigningKey(kid, k.privateJwk(), k.createdAt(), Optional.of(retiredAt)));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Integer> dropRetiredBefore(Instant before) {
    var drop = keys.values().stream()
        .filter(k -> k.retiredAt().isPresent() && k.retiredAt().get().isBefore(before))
        .map(StoredSigningKey::kid)
        .toList();
    drop.forEach(keys::remove);
    return CompletableFuture.completedFuture(drop.size());
  }

  /** Overwrites a stored key's JWK, as disk corruption would. */
  public synchronized void corrupt(String kid, String privateJwk) {
    var k = keys.get(kid);
    keys.put(kid, new StoredSigningKey(kid, privateJwk, k.createdAt(), k.retiredAt()));
  }

  public synchronized List<StoredSigningKey> snapshot() {
    return List.copyOf(list());
  }
}

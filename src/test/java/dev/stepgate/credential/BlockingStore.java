package dev.stepgate.credential;

import static dev.stepgate.Async.join;

import dev.stepgate.identity.SigningKeyStore.StoredSigningKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * For tests: the ports of a {@link Storage}, waited for, under short names. Each call goes through
 * the asynchronous port and rethrows its failure as raised.
 */
public final class BlockingStore implements AutoCloseable {
  private final Storage s;

  public BlockingStore(Storage storage) {
    this.s = storage;
  }

  public static BlockingStore open(Path dir) {
    return new BlockingStore(EmbeddedStore.open(dir).storage());
  }

  public static BlockingStore open(Path dir, boolean allowSharedPermissions) {
    return new BlockingStore(EmbeddedStore.open(dir, allowSharedPermissions).storage());
  }

  public Storage storage() {
    return s;
  }

  public void createUser(User u) { join(s.users().create(u)); }
  public Optional<User> findUserByUsername(String name) { return join(s.users().byUsername(name)); }
  public Optional<User> findUserById(String id) { return join(s.users().byId(id)); }
  public List<User> listUsers() { return join(s.users().all()); }
  public void addCredential(StoredCredential c) { join(s.passkeys().add(c)); }
  public void enroll(Enrollment e, Instant now) { join(s.passkeys().enroll(e, now)); }
  public Optional<StoredCredential> findCredential(byte[] id) { return join(s.passkeys().find(id)); }
  public List<StoredCredential> listCredentials(String userId) { return join(s.passkeys().ofUser(userId)); }

  public boolean recordAssertion(byte[] id, long count, boolean bs, boolean uv, Instant at) {
    return join(s.passkeys().recordAssertion(id, count, bs, uv, at));
  }

  public boolean revokeCredential(String userId, byte[] id) { return join(s.passkeys().revoke(userId, id)); }
  public void createInvite(byte[] hash, String username, Instant expiresAt) { join(s.invites().create(hash, username, expiresAt)); }
  public Optional<String> findInvite(byte[] hash, Instant now) { return join(s.invites().find(hash, now)); }
  public boolean consumeInvite(byte[] hash, String username, Instant now) { return join(s.invites().consume(hash, username, now)); }
  public void recordEvent(String kind, Optional<String> userId, String detail) { join(s.audit().record(kind, userId, detail)); }
  public List<AuditEvent> recentEvents(int limit) { return join(s.audit().recent(limit)); }
  public long lastRevocationSeq() { return join(s.revocations().lastSeq()); }
  public List<LoggedRevocation> revocationsAfter(long seq, int limit) { return join(s.revocations().after(seq, limit)); }
  public List<StoredSigningKey> signingKeys() { return join(s.signingKeys().all()); }
  public void addSigningKey(StoredSigningKey k) { join(s.signingKeys().add(k)); }
  public void retireSigningKey(String kid, Instant at) { join(s.signingKeys().retire(kid, at)); }
  public int dropRetiredBefore(Instant before) { return join(s.signingKeys().dropRetiredBefore(before)); }

  @Override
  public void close() {
    s.close();
  }
}

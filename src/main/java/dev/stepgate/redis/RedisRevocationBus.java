package dev.stepgate.redis;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.LocalRevocationBus;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.revocation.RevocationBus;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A {@link RevocationBus} across nodes on Redis pub/sub: {@link #publish} hands the revocation to
 * this node's subscribers at once (as {@link LocalRevocationBus} does) and then {@code PUBLISH}es
 * it; every other node hands it to its own subscribers when it arrives. Pub/sub is at-most-once,
 * so this is the fast path only: revocations are also in the store's change record, which every
 * node follows ({@code StoreRevocationFeed}), and a node whose subscription dropped flushes its
 * near caches.
 */
final class RedisRevocationBus implements RevocationBus {
  private static final Logger LOG = Logger.getLogger(RedisRevocationBus.class.getName());

  private final LocalRevocationBus local = new LocalRevocationBus();
  private final RedisLink link;
  private final String node;

  RedisRevocationBus(RedisLink link, String node) {
    this.link = link;
    this.node = node;
  }

  @Override
  public void publish(Revocation revocation) {
    local.publish(revocation);
    var json = new JsonObject().put("user", revocation.userId());
    // A groups change stays on this node: every change of groups is made in the store, whose
    // record every node follows, and a node of an older build would read a message without
    // "credential" as "end every session of the user".
    if (revocation instanceof Revocation.GroupsChanged) return;
    if (revocation instanceof Revocation.CredentialRevoked c) json.put("credential", c.credentialId().base64url());
    link.send(Request.cmd(Command.PUBLISH).arg(Keys.REVOCATIONS_CHANNEL).arg(node + " " + json.encode()))
        .whenComplete((r, e) -> {
          if (e != null)
            LOG.warning("revocation not published to other nodes (" + RedisBackend.causeName(e)
                + "); they follow the store's revocation record instead");
        });
  }

  @Override
  public AutoCloseable subscribe(Consumer<Revocation> subscriber) {
    return local.subscribe(subscriber);
  }

  /** A message on {@link Keys#REVOCATIONS_CHANNEL}: another node's revocation. */
  void onMessage(String message) {
    int space = message.indexOf(' ');
    if (space < 0 || message.startsWith(node + " ")) return;
    try {
      var j = new JsonObject(message.substring(space + 1));
      var user = j.getString("user");
      var credential = j.getString("credential");
      local.publish(credential == null ? new Revocation.UserSessionsEnded(user)
          : new Revocation.CredentialRevoked(user, CredentialId.parse(credential)));
    } catch (RuntimeException e) {
      LOG.warning("unreadable revocation message ignored (" + e.getClass().getSimpleName() + ")");
    }
  }
}

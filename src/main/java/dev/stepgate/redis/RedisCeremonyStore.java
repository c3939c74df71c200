package dev.stepgate.redis;

import dev.stepgate.passkey.Ceremony;
import dev.stepgate.passkey.CeremonyStore;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code sessions.driver: redis}: started ceremonies, shared by every node, so that any node can
 * finish what another began. {@link #put} is {@code SET NX PX} (a taken id is refused, the TTL
 * bounds how long it waits); {@link #take} is {@code GETDEL}, one atomic step, so of any number of
 * concurrent finishes on any nodes exactly one gets it. Keys are the hash of the ceremony id.
 */
final class RedisCeremonyStore implements CeremonyStore {
  private final RedisLink link;
  private final long ttlMs;

  RedisCeremonyStore(RedisLink link, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
    this.link = link;
    this.ttlMs = ttl.toMillis();
  }

  @Override
  public CompletionStage<Void> put(Ceremony c) {
    var json = new JsonObject().put("kind", c.kind().name()).put("challenge", c.challenge())
        .put("newUser", c.newUser()).put("uv", c.userVerificationRequired()).put("expiresAt", c.expiresAt().toString());
    c.userId().ifPresent(v -> json.put("userId", v));
    c.username().ifPresent(v -> json.put("username", v));
    c.displayName().ifPresent(v -> json.put("displayName", v));
    c.inviteTokenHash().ifPresent(v -> json.put("invite", v));
    c.signedInUserId().ifPresent(v -> json.put("signedIn", v));
    var set = Request.cmd(Command.SET).arg(Keys.CEREMONY + Keys.hash(c.id())).arg(json.encode()).arg("NX").arg("PX").arg(ttlMs);
    return link.send(set).thenCompose(r -> r == null
        ? CompletableFuture.failedFuture(new IllegalStateException("ceremony id collision"))
        : CompletableFuture.completedFuture(null));
  }

  @Override
  public CompletionStage<Optional<Ceremony>> take(String id) {
    if (id == null) return CompletableFuture.completedFuture(Optional.empty());
    return link.send(Request.cmd(Command.GETDEL).arg(Keys.CEREMONY + Keys.hash(id))).thenApply(r -> {
      if (r == null) return Optional.empty();
      var j = new JsonObject(r.toString());
      return Optional.of(new Ceremony(id, Ceremony.Kind.valueOf(j.getString("kind")), j.getString("challenge"),
          Optional.ofNullable(j.getString("userId")), Optional.ofNullable(j.getString("username")),
          Optional.ofNullable(j.getString("displayName")), j.getBoolean("newUser", false),
          Optional.ofNullable(j.getString("invite")), Optional.ofNullable(j.getString("signedIn")),
          j.getBoolean("uv", true), Instant.parse(j.getString("expiresAt"))));
    });
  }
}

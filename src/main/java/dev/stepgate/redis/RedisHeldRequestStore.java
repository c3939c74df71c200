package dev.stepgate.redis;

import dev.stepgate.StepgateException;
import dev.stepgate.session.SessionIds;
import dev.stepgate.stepup.HeldRequest;
import dev.stepgate.stepup.HeldRequestStore;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sessions.driver: redis}: held form POSTs shared by every node, so the step-up and the
 * replay may happen on any node. The bounds:
 *
 * <ul>
 *   <li>per session, cluster-wide: at most {@code perSession} requests held or being read, as
 *       one sorted set per session (members expire by score, so a node that dies mid-read frees
 *       its slot after {@link #READ_TTL});
 *   <li>bytes, two ways: what this node is reading (buffering in its own memory) is bounded by
 *       {@code maxBytes} on this node ({@link Reservation#grow} is synchronous and counts here);
 *       and everything reserved or held in Redis, by all nodes together, is bounded by {@code
 *       maxBytes} too, counted by the scripts. A body that grew past its declared length is
 *       checked against the shared count when it is held.
 * </ul>
 *
 * Every change is one Lua script; {@link #take} is atomic across nodes. Redis keeps the hash of
 * the session id, never the id.
 */
final class RedisHeldRequestStore implements HeldRequestStore {
  /** How long a reservation may stay open (a body being read) before its room is given back. */
  static final Duration READ_TTL = Duration.ofMinutes(2);
  private static final long KEY_TTL_MS = TTL.plus(READ_TTL).toMillis();

  private static final String ACCOUNT = """
      local function unaccount(m)
        local b = redis.call('HGET', KEYS[2], m)
        if b then
          redis.call('HDEL', KEYS[2], m)
          redis.call('ZREM', KEYS[1], m)
          redis.call('DECRBY', KEYS[3], b)
        end
      end
      local function prune(now)
        local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 256)
        for _, m in ipairs(old) do unaccount(m) end
        return tonumber(redis.call('GET', KEYS[3]) or '0')
      end
      """;

  /** KEYS: expiry, sizes, total, slots. ARGV: now, member, bytes, max, per session, deadline, key ttl. */
  private static final Script RESERVE = Script.of("held-reserve", ACCOUNT + """
      local total = prune(ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[1])
      if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[5]) then return 0 end
      if total + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return 0 end
      redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2])
      redis.call('PEXPIRE', KEYS[4], ARGV[7])
      redis.call('ZADD', KEYS[1], ARGV[6], ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
      redis.call('INCRBY', KEYS[3], ARGV[3])
      return 1
      """);

  /**
   * KEYS: expiry, sizes, total, slots, held. ARGV: now, reservation, held member, bytes, max,
   * deadline, session hash, payload, held ttl, key ttl.
   */
  private static final Script HOLD = Script.of("held-hold", ACCOUNT + """
      local total = prune(ARGV[1])
      local had = redis.call('HGET', KEYS[2], ARGV[2])
      if not had or not redis.call('ZSCORE', KEYS[4], ARGV[2]) then
        redis.call('ZREM', KEYS[4], ARGV[2])
        unaccount(ARGV[2])
        return -1
      end
      local grow = tonumber(ARGV[4]) - tonumber(had)
      if grow > 0 and total + grow > tonumber(ARGV[5]) then return 0 end
      unaccount(ARGV[2])
      redis.call('ZREM', KEYS[4], ARGV[2])
      redis.call('ZADD', KEYS[4], ARGV[6], ARGV[3])
      redis.call('PEXPIRE', KEYS[4], ARGV[10])
      redis.call('ZADD', KEYS[1], ARGV[6], ARGV[3])
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
      redis.call('INCRBY', KEYS[3], ARGV[4])
      redis.call('HSET', KEYS[5], 's', ARGV[7], 'r', ARGV[8])
      redis.call('PEXPIRE', KEYS[5], ARGV[9])
      return 1
      """);

  /** KEYS: expiry, sizes, total, slots. ARGV: reservation. */
  private static final Script RELEASE = Script.of("held-release", ACCOUNT + """
      redis.call('ZREM', KEYS[4], ARGV[1])
      unaccount(ARGV[1])
      return 1
      """);

  /** KEYS: expiry, sizes, total, slots, held. ARGV: session hash, held member. */
  private static final Script TAKE = Script.of("held-take", ACCOUNT + """
      local f = redis.call('HMGET', KEYS[5], 's', 'r')
      if not f[1] or f[1] ~= ARGV[1] then return false end
      redis.call('DEL', KEYS[5])
      redis.call('ZREM', KEYS[4], ARGV[2])
      unaccount(ARGV[2])
      return f[2]
      """);

  /** KEYS: old slots, new slots. ARGV: old hash, new hash, held prefix, key ttl. */
  private static final Script REBIND = Script.of("held-rebind", """
      local ms = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
      for i = 1, #ms, 2 do
        local m = ms[i]
        if string.sub(m, 1, 2) == 'h:' then
          local k = ARGV[3] .. string.sub(m, 3)
          if redis.call('HGET', k, 's') == ARGV[1] then
            redis.call('HSET', k, 's', ARGV[2])
            redis.call('ZREM', KEYS[1], m)
            redis.call('ZADD', KEYS[2], ms[i + 1], m)
          end
        end
      end
      redis.call('PEXPIRE', KEYS[2], ARGV[4])
      return 1
      """);

  private final RedisLink link;
  private final int perSession;
  private final long maxBytes;
  private final Clock clock;
  /** Bytes this node has reserved for bodies it is reading now. */
  private final AtomicLong reading = new AtomicLong();
  /** Releases sent and not answered yet: later calls of this node wait for them, so that their room is free. */
  private final Set<CompletableFuture<?>> releasing = ConcurrentHashMap.newKeySet();

  RedisHeldRequestStore(RedisLink link, int perSession, long maxBytes, Clock clock) {
    if (perSession < 1) throw new IllegalArgumentException("perSession must be at least 1");
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive");
    this.link = link;
    this.perSession = perSession;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  private static List<String> keys(String sessionHash) {
    return List.of(Keys.HELD_EXPIRY, Keys.HELD_SIZES, Keys.HELD_TOTAL, Keys.HELD_SLOTS + sessionHash);
  }

  private static List<String> keys(String sessionHash, String id) {
    return List.of(Keys.HELD_EXPIRY, Keys.HELD_SIZES, Keys.HELD_TOTAL, Keys.HELD_SLOTS + sessionHash, Keys.HELD + id);
  }

  @Override
  public CompletionStage<Optional<HeldRequestStore.Reservation>> reserve(String sessionId, long bytes) {
    if (sessionId == null || bytes < 0 || !addReading(bytes)) return CompletableFuture.completedFuture(Optional.empty());
    var h = Keys.hash(sessionId);
    var token = "r:" + SessionIds.next().substring(0, 22);
    long now = clock.millis();
    var args = List.<Object>of(now, token, bytes, maxBytes, perSession, now + READ_TTL.toMillis(), KEY_TTL_MS);
    return afterReleases().thenCompose(v -> link.eval(RESERVE, keys(h), args)).handle((r, e) -> {
      if (e != null || r == null || r.toInteger() != 1) {
        reading.addAndGet(-bytes);
        if (e != null) throw new java.util.concurrent.CompletionException(e);
        return Optional.<HeldRequestStore.Reservation>empty();
      }
      return Optional.<HeldRequestStore.Reservation>of(new Reservation(sessionId, h, token, bytes));
    });
  }

  private CompletableFuture<Void> afterReleases() {
    if (releasing.isEmpty()) return CompletableFuture.completedFuture(null);
    return CompletableFuture.allOf(releasing.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
  }

  private boolean addReading(long more) {
    while (true) {
      long now = reading.get();
      if (more > maxBytes - now) return false;
      if (reading.compareAndSet(now, now + more)) return true;
    }
  }

  private final class Reservation implements HeldRequestStore.Reservation {
    private final String sessionId;
    private final String sessionHash;
    private final String token;
    private final long inRedis;
    private long reserved;
    private boolean open = true;

    Reservation(String sessionId, String sessionHash, String token, long bytes) {
      this.sessionId = sessionId;
      this.sessionHash = sessionHash;
      this.token = token;
      this.inRedis = bytes;
      this.reserved = bytes;
    }

    @Override
    public synchronized boolean grow(long more) {
      if (!open || more < 0 || !addReading(more)) return false;
      reserved += more;
      return true;
    }

    @Override
    public synchronized CompletionStage<String> hold(HeldRequest request) {
      if (!open) throw new IllegalStateException("this reservation was already used or released");
      if (!sessionId.equals(request.sessionId())) throw new IllegalArgumentException("the request is another session's");
      long size = request.size();
      if (size > reserved) throw new IllegalArgumentException("the request is larger than what was reserved");
      open = false;
      reading.addAndGet(-reserved); // from here the bytes are Redis's, counted by the scripts
      var id = SessionIds.next().substring(0, 22);
      long now = clock.millis();
      var args = List.<Object>of(now, token, "h:" + id, Math.max(size, inRedis), maxBytes, now + TTL.toMillis(), sessionHash,
          HeldCodec.encode(request), TTL.toMillis(), KEY_TTL_MS);
      return link.eval(HOLD, keys(sessionHash, id), args).thenApply(r -> {
        int outcome = r == null ? -1 : r.toInteger();
        if (outcome == 1) return id;
        if (outcome == 0)
          throw new StepgateException("held-request-limit", 429, "There is no room left to keep this form.");
        throw new IllegalStateException("this reservation expired before the request was held");
      });
    }

    @Override
    public synchronized void release() {
      if (!open) return;
      open = false;
      reading.addAndGet(-reserved);
      var sent = link.eval(RELEASE, keys(sessionHash), List.of(token)).toCompletableFuture();
      releasing.add(sent);
      sent.whenComplete((r, e) -> releasing.remove(sent)); // a failed release expires after READ_TTL
    }
  }

  @Override
  public CompletionStage<Optional<HeldRequest>> peek(String id, String sessionId) {
    if (id == null || sessionId == null) return CompletableFuture.completedFuture(Optional.empty());
    var h = Keys.hash(sessionId);
    return link.send(Request.cmd(Command.HMGET).arg(Keys.HELD + id).arg("s").arg("r")).thenApply(r -> {
      if (r == null || r.get(0) == null || r.get(1) == null || !h.equals(r.get(0).toString())) return Optional.empty();
      return Optional.of(HeldCodec.decode(sessionId, r.get(1).toBytes()));
    });
  }

  @Override
  public CompletionStage<Optional<HeldRequest>> take(String id, String sessionId) {
    if (id == null || sessionId == null) return CompletableFuture.completedFuture(Optional.empty());
    var h = Keys.hash(sessionId);
    return link.eval(TAKE, keys(h, id), List.of(h, "h:" + id))
        .thenApply(r -> r == null ? Optional.empty() : Optional.of(HeldCodec.decode(sessionId, r.toBytes())));
  }

  @Override
  public CompletionStage<Void> rebindAll(String oldSessionId, String newSessionId) {
    if (oldSessionId == null || newSessionId == null || oldSessionId.equals(newSessionId))
      return CompletableFuture.completedFuture(null);
    var oldHash = Keys.hash(oldSessionId);
    var newHash = Keys.hash(newSessionId);
    return link.eval(REBIND, List.of(Keys.HELD_SLOTS + oldHash, Keys.HELD_SLOTS + newHash),
        List.of(oldHash, newHash, Keys.HELD, KEY_TTL_MS)).thenAccept(r -> {});
  }

  /** Bytes this node has reserved for bodies it is reading now. */
  long bytesReading() {
    return reading.get();
  }
}

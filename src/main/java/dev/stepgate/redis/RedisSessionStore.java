package dev.stepgate.redis;

import dev.stepgate.Async;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import dev.stepgate.session.SessionSummary;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code sessions.driver: redis}: sessions shared by every node. Each session is a hash under the
 * SHA-256 of its id ({@link Keys#hash}), with a Redis TTL of the idle timeout, cut to what is left
 * of the absolute lifetime; a set per user indexes them. Every operation is one Lua script, so
 * rotation and step-up consumption are atomic across nodes, and the scripts that end or change a
 * session {@code PUBLISH} its hashed key, so the other nodes' {@link NearCache}s drop it.
 *
 * <p>{@link #findNow} answers from this node's near cache only (filled by create, find and
 * rotation here); a miss is empty, and the caller takes {@link #find}.
 */
final class RedisSessionStore implements SessionStore {
  private static final String TTL = """
      local function ttl(exp, now, idle)
        if not exp then return -1 end
        return math.min(tonumber(idle), tonumber(exp) - tonumber(now))
      end
      """;

  /** KEYS: session, user index. ARGV: now, idle, exp, hash, max lifetime, fields… */
  private static final Script CREATE = Script.of("create", TTL + """
      local t = ttl(ARGV[3], ARGV[1], ARGV[2])
      if t <= 0 then return 0 end
      redis.call('SADD', KEYS[2], ARGV[4])
      redis.call('PEXPIRE', KEYS[2], ARGV[5])
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], unpack(ARGV, 6))
      redis.call('PEXPIRE', KEYS[1], t)
      return 1
      """);

  /** KEYS: session. ARGV: now, idle, last-seen step. Marks it seen when that is a step old. */
  private static final Script FIND = Script.of("find", TTL + """
      local f = redis.call('HMGET', KEYS[1], 'exp', 'ls')
      local t = ttl(f[1], ARGV[1], ARGV[2])
      if t == -1 then return false end
      if t <= 0 then redis.call('DEL', KEYS[1]) return false end
      redis.call('PEXPIRE', KEYS[1], t)
      if not f[2] or tonumber(ARGV[1]) - tonumber(f[2]) >= tonumber(ARGV[3]) then
        redis.call('HSET', KEYS[1], 'ls', ARGV[1])
      end
      return redis.call('HGETALL', KEYS[1])
      """);

  /**
   * KEYS: user index. ARGV: session prefix, now. Each live session's hash and fields, flat; an
   * index entry whose session is gone (idle expiry) is dropped on the way. TTLs are not touched.
   */
  private static final Script LIST = Script.of("list", """
      local out = {}
      for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local k = ARGV[1] .. h
        local exp = redis.call('HGET', k, 'exp')
        if not exp then
          redis.call('SREM', KEYS[1], h)
        elseif tonumber(exp) > tonumber(ARGV[2]) then
          out[#out + 1] = h
          out[#out + 1] = redis.call('HGETALL', k)
        end
      end
      return out
      """);

  /** KEYS: session, user index. ARGV: hash, user id, channel, message, now. Ends it only if it is that user's and live. */
  private static final Script END_OWNED = Script.of("end-owned", """
      local f = redis.call('HMGET', KEYS[1], 'uid', 'exp')
      if f[1] ~= ARGV[2] then return 0 end
      redis.call('DEL', KEYS[1])
      redis.call('SREM', KEYS[2], ARGV[1])
      redis.call('PUBLISH', ARGV[3], ARGV[4])
      if tonumber(f[2]) <= tonumber(ARGV[5]) then return 0 end
      return 1
      """);

  /** KEYS: user index. ARGV: session prefix, channel, node, kept hash. */
  private static final Script END_OTHERS = Script.of("end-others", """
      local ended = {}
      for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        if h ~= ARGV[4] then
          redis.call('DEL', ARGV[1] .. h)
          redis.call('SREM', KEYS[1], h)
          ended[#ended + 1] = h
        end
      end
      if #ended > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. table.concat(ended, ',')) end
      return #ended
      """);

  /** KEYS: old, new. ARGV: now, idle, old hash, new hash, index prefix, channel, message, step-up fields… */
  private static final Script ROTATE = Script.of("rotate", TTL + """
      local f = redis.call('HMGET', KEYS[1], 'exp', 'uid')
      local t = ttl(f[1], ARGV[1], ARGV[2])
      if t == -1 then return false end
      if t <= 0 then redis.call('DEL', KEYS[1]) return false end
      redis.call('RENAME', KEYS[1], KEYS[2])
      redis.call('HDEL', KEYS[2], 's_at', 's_sec', 's_nano', 's_c', 's_be', 's_cc', 's_used', 's_rule')
      redis.call('HSET', KEYS[2], unpack(ARGV, 8))
      redis.call('PEXPIRE', KEYS[2], t)
      local idx = ARGV[5] .. f[2]
      redis.call('SREM', idx, ARGV[3])
      redis.call('SADD', idx, ARGV[4])
      redis.call('PUBLISH', ARGV[6], ARGV[7])
      return redis.call('HGETALL', KEYS[2])
      """);

  /** KEYS: session. ARGV: now, idle, rule, not-before seconds, not-before nanos, channel, message. */
  private static final Script CONSUME = Script.of("consume", TTL + """
      local f = redis.call('HMGET', KEYS[1], 'exp', 's_used', 's_rule', 's_sec', 's_nano')
      local t = ttl(f[1], ARGV[1], ARGV[2])
      if t == -1 then return false end
      if t <= 0 then redis.call('DEL', KEYS[1]) return false end
      if f[2] ~= '0' or f[3] ~= ARGV[3] then return false end
      local s, n, bs, bn = tonumber(f[4]), tonumber(f[5]), tonumber(ARGV[4]), tonumber(ARGV[5])
      if s < bs or (s == bs and n < bn) then return false end
      redis.call('HSET', KEYS[1], 's_used', '1')
      redis.call('PUBLISH', ARGV[6], ARGV[7])
      return redis.call('HGETALL', KEYS[1])
      """);

  /** KEYS: session. ARGV: hash, index prefix, channel, message. */
  private static final Script END = Script.of("end", """
      local uid = redis.call('HGET', KEYS[1], 'uid')
      redis.call('DEL', KEYS[1])
      if uid then redis.call('SREM', ARGV[2] .. uid, ARGV[1]) end
      redis.call('PUBLISH', ARGV[3], ARGV[4])
      return 1
      """);

  /** KEYS: user index. ARGV: session prefix, channel, node. */
  private static final Script END_USER = Script.of("end-user", """
      local ids = redis.call('SMEMBERS', KEYS[1])
      for _, h in ipairs(ids) do redis.call('DEL', ARGV[1] .. h) end
      redis.call('DEL', KEYS[1])
      if #ids > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. table.concat(ids, ',')) end
      return #ids
      """);

  /** KEYS: user index. ARGV: session prefix, channel, node, credential. */
  private static final Script END_CREDENTIAL = Script.of("end-credential", """
      local ids = redis.call('SMEMBERS', KEYS[1])
      local ended = {}
      for _, h in ipairs(ids) do
        local k = ARGV[1] .. h
        local f = redis.call('HMGET', k, 'c', 's_c', 'uid')
        if not f[3] then
          redis.call('SREM', KEYS[1], h)
        elseif f[1] == ARGV[4] or f[2] == ARGV[4] then
          redis.call('DEL', k)
          redis.call('SREM', KEYS[1], h)
          ended[#ended + 1] = h
        end
      end
      if #ended > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. table.concat(ended, ',')) end
      return #ended
      """);

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final RedisLink link;
  private final NearCache near;
  private final String node;
  private final long idleMs;
  private final Duration maxLifetime;
  private final Clock clock;

  RedisSessionStore(RedisLink link, NearCache near, String node, Duration idleTimeout, Duration maxLifetime, Clock clock) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idle timeout must be positive");
    if (maxLifetime.isNegative() || maxLifetime.isZero()) throw new IllegalArgumentException("max lifetime must be positive");
    this.link = link;
    this.near = near;
    this.node = node;
    this.idleMs = idleTimeout.toMillis();
    this.maxLifetime = maxLifetime;
    this.clock = clock;
  }

  /** A message on {@link Keys#SESSIONS_CHANNEL}: another node ended or changed these sessions. */
  void onInvalidation(String message) {
    int space = message.indexOf(' ');
    if (space < 0 || message.startsWith(node + " ")) return;
    near.invalidateAll(Arrays.asList(message.substring(space + 1).split(",")));
  }

  @Override
  public CompletionStage<Void> create(Session session) {
    var h = Keys.hash(session.id());
    long since = near.epoch();
    var args = new ArrayList<Object>(List.of(now(), idleMs, expiresAt(session), h, maxLifetime.toMillis()));
    args.addAll(SessionCodec.fields(session, expiresAt(session)));
    return Async.attempt(() -> link.eval(CREATE, List.of(Keys.SESSION + h, Keys.USER_SESSIONS + session.userId()), args))
        .thenAccept(r -> {
          if (r != null && r.toInteger() == 1) near.fill(h, session, since);
        });
  }

  @Override
  public CompletionStage<Optional<Session>> find(String id) {
    if (id == null) return CompletableFuture.completedFuture(Optional.empty());
    var h = Keys.hash(id);
    long since = near.epoch();
    return link.eval(FIND, List.of(Keys.SESSION + h), List.of(now(), idleMs, LAST_SEEN_STEP.toMillis())).thenApply(r -> {
      var s = SessionCodec.session(id, r).filter(this::live);
      s.ifPresent(found -> near.fill(h, found, since));
      return s;
    });
  }

  @Override
  public Optional<Session> findNow(String id) {
    if (id == null) return Optional.empty();
    return near.get(Keys.hash(id)).filter(this::live);
  }

  @Override
  public CompletionStage<Optional<Session>> rotateAndRecordStepUp(String oldId, String newId, Session.StepUpRecord stepUp) {
    if (oldId == null || newId == null || stepUp == null) return CompletableFuture.completedFuture(Optional.empty());
    var oldHash = Keys.hash(oldId);
    var newHash = Keys.hash(newId);
    near.invalidate(oldHash);
    long since = near.epoch();
    var args = new ArrayList<Object>(List.of(now(), idleMs, oldHash, newHash, Keys.USER_SESSIONS, Keys.SESSIONS_CHANNEL,
        node + " " + oldHash));
    args.addAll(SessionCodec.stepUpFields(stepUp));
    return link.eval(ROTATE, List.of(Keys.SESSION + oldHash, Keys.SESSION + newHash), args).thenApply(r -> {
      near.invalidate(oldHash);
      var moved = SessionCodec.session(newId, r).filter(this::live);
      moved.ifPresent(s -> near.fill(newHash, s, since + 1));
      return moved;
    });
  }

  @Override
  public CompletionStage<Optional<Session>> consumeStepUp(String id, String forRule, Instant notBefore) {
    if (id == null || forRule == null || notBefore == null) return CompletableFuture.completedFuture(Optional.empty());
    var h = Keys.hash(id);
    var args = List.<Object>of(now(), idleMs, forRule, notBefore.getEpochSecond(), notBefore.getNano(),
        Keys.SESSIONS_CHANNEL, node + " " + h);
    return link.eval(CONSUME, List.of(Keys.SESSION + h), args).thenApply(r -> {
      var spent = SessionCodec.session(id, r).filter(this::live);
      if (spent.isPresent()) near.invalidate(h); // the copy cached here still shows it unspent
      return spent;
    });
  }

  @Override
  public CompletionStage<Void> end(String id) {
    if (id == null) return DONE;
    var h = Keys.hash(id);
    near.invalidate(h);
    return link.eval(END, List.of(Keys.SESSION + h), List.of(h, Keys.USER_SESSIONS, Keys.SESSIONS_CHANNEL, node + " " + h))
        .thenAccept(r -> near.invalidate(h));
  }

  @Override
  public CompletionStage<List<SessionSummary>> ofUser(String userId) {
    if (userId == null) return CompletableFuture.completedFuture(List.of());
    return link.eval(LIST, List.of(Keys.USER_SESSIONS + userId), List.of(Keys.SESSION, now())).thenApply(r -> {
      var live = new ArrayList<SessionSummary>();
      for (int i = 0; r != null && i + 1 < r.size(); i += 2)
        SessionCodec.summary(r.get(i).toString(), r.get(i + 1)).ifPresent(live::add);
      live.sort(java.util.Comparator.comparing(SessionSummary::signedInAt).thenComparing(SessionSummary::handle));
      return List.copyOf(live);
    });
  }

  @Override
  public CompletionStage<Boolean> endByHandle(String userId, String handle) {
    if (userId == null || handle == null) return CompletableFuture.completedFuture(false);
    var index = Keys.USER_SESSIONS + userId;
    // The handle is a prefix of the key's hash: found among this user's index only, then ended if still theirs.
    return link.send(Request.cmd(Command.SMEMBERS).arg(index)).thenCompose(members -> {
      String hash = null;
      for (int i = 0; members != null && i < members.size(); i++) {
        var h = members.get(i).toString();
        if (SessionCodec.handle(h).equals(handle)) hash = h;
      }
      if (hash == null) return CompletableFuture.completedFuture(false);
      var h = hash;
      near.invalidate(h);
      return link.eval(END_OWNED, List.of(Keys.SESSION + h, index),
              List.of(h, userId, Keys.SESSIONS_CHANNEL, node + " " + h, now()))
          .thenApply(r -> {
            near.invalidate(h);
            return r != null && r.toInteger() == 1;
          });
    });
  }

  @Override
  public CompletionStage<Void> endOthersOf(String userId, String keepId) {
    if (userId == null) return DONE;
    var kept = keepId == null ? "" : Keys.hash(keepId);
    near.invalidateUser(userId); // coarser than needed, never wrong: a miss only costs a find
    return link.eval(END_OTHERS, List.of(Keys.USER_SESSIONS + userId), List.of(Keys.SESSION, Keys.SESSIONS_CHANNEL, node, kept))
        .thenAccept(r -> near.invalidateUser(userId));
  }

  @Override
  public CompletionStage<Void> endSessionsOf(String userId) {
    if (userId == null) return DONE;
    near.invalidateUser(userId);
    return link.eval(END_USER, List.of(Keys.USER_SESSIONS + userId), List.of(Keys.SESSION, Keys.SESSIONS_CHANNEL, node))
        .thenAccept(r -> near.invalidateUser(userId));
  }

  @Override
  public CompletionStage<Void> endSessionsOfCredential(String userId, CredentialId credentialId) {
    if (userId == null || credentialId == null) return DONE;
    var cred = credentialId.base64url();
    near.invalidateUser(userId); // coarser than needed, never wrong: a miss only costs a find
    return link.eval(END_CREDENTIAL, List.of(Keys.USER_SESSIONS + userId),
        List.of(Keys.SESSION, Keys.SESSIONS_CHANNEL, node, cred)).thenAccept(r -> near.invalidateUser(userId));
  }

  /** How many sessions the index holds for {@code userId} (tests: the index stays exact). */
  CompletionStage<Integer> indexedSessionsOf(String userId) {
    return link.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCARD).arg(Keys.USER_SESSIONS + userId))
        .thenApply(Response::toInteger);
  }

  private long now() {
    return clock.millis();
  }

  private long expiresAt(Session s) {
    return s.createdAt().plus(maxLifetime).toEpochMilli();
  }

  private boolean live(Session s) {
    return clock.instant().isBefore(s.createdAt().plus(maxLifetime));
  }
}

package dev.stepgate.admission;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who is calling in bolt-on mode (SPEC section 8, {@code identity.source: upstream}): the user the
 * app's own session names, as the app's {@code whoami} endpoint says, with the step-up state
 * stepgate holds for exactly that app session.
 *
 * <ul>
 *   <li>Only the configured session cookies are read, and only they are sent to {@code whoami}.
 *       A configured cookie sent twice (two values under one name) is ambiguous: which one the app
 *       reads is not known, so the caller is nobody to stepgate.
 *   <li>Their values are bound by a keyed hash ({@link #binding}); the answer is cached under it
 *       for {@code whoami.cache} (a "not signed in" answer for at most {@link #NOBODY_TTL}), and
 *       a failed or garbled answer is never cached: the stage fails, so everything that needs a
 *       caller fails closed (503) while public routes still pass.
 *   <li>A stepgate session counts only while its {@link Session#appBinding} is the hash of the app
 *       cookies sent now and its user is the one {@code whoami} names now: a stolen or forged
 *       gateway cookie without the matching app session is worth nothing, and a new app session
 *       (a new login, another user, a logout) voids every step-up made in the old one. Such a
 *       stale session is ended when it is seen.
 *   <li>Without a stepgate session the caller is an <em>app session</em>: a {@link Session} that is
 *       never stored, whose id is {@code app.} and the binding, so held requests and step-ups
 *       begun in it belong to that app session only.
 * </ul>
 */
public final class AppSessionCaller {
  /** The most a "not signed in" answer is reused: a user who just signed in to the app waits at most this. */
  public static final Duration NOBODY_TTL = Duration.ofSeconds(5);

  /** Most cached answers per node. */
  static final long MAX_CACHED = 100_000;

  /** Most whoami questions open at once per node. */
  static final int MAX_IN_FLIGHT = 1_000;

  /** Prefix of the id of an app session that stepgate does not store. */
  public static final String APP_SESSION_PREFIX = "app.";

  private static final CompletableFuture<Optional<Session>> NOBODY = CompletableFuture.completedFuture(Optional.empty());

  /** What the app says about a caller: its username and groups (both exactly as the app gave them). */
  public record AppUser(String username, Set<String> groups) {
    public AppUser {
      if (username == null || username.isBlank()) throw new IllegalArgumentException("username must not be blank");
      groups = Set.copyOf(groups);
    }
  }

  /** The app's whoami endpoint: empty when it says nobody is signed in; a failed stage when it cannot say. */
  public interface Whoami {
    CompletionStage<Optional<AppUser>> ask(String appCookieHeader);
  }

  /** A caller the app named, with stepgate's id for them. */
  record Resolved(String username, String userId, Set<String> groups, Instant firstSeen) {}

  /**
   * A cached answer: the caller, and the unstored app session made for it once (the same object
   * on every request, so the identity headers made for it are found again without a copy).
   */
  private record Answer(Resolved who, Session appSession) {}

  private final List<String> cookieNames;
  private final Whoami whoami;
  private final Function<String, CompletionStage<Optional<String>>> userIds;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final Clock clock;
  private final ThreadLocal<Mac> mac;
  /** Each thread's last parsed {@code Cookie} headers: a connection sends the same one request after request. */
  private final ThreadLocal<LastParsed> lastParsed = ThreadLocal.withInitial(LastParsed::new);
  private final AsyncCache<String, Optional<Answer>> answers;
  private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Optional<Answer>>> inFlight =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param cookieNames the app's session cookies ({@code whoami.session_cookies})
   * @param userIds stepgate's user id for an app username; empty when that user may not use
   *     stepgate (disabled); a failed stage when the store cannot say
   * @param bindingKey the install's key of {@link #binding}, the same on every node
   * @param cacheFor {@code whoami.cache}
   */
  public AppSessionCaller(List<String> cookieNames, Whoami whoami, Function<String, CompletionStage<Optional<String>>> userIds,
      SessionStore sessions, SessionCookie cookie, Clock clock, byte[] bindingKey, Duration cacheFor) {
    if (cookieNames.isEmpty()) throw new IllegalArgumentException("at least one app session cookie is needed");
    if (bindingKey.length < 32) throw new IllegalArgumentException("the binding key must be at least 256 bits");
    this.cookieNames = List.copyOf(cookieNames);
    this.whoami = whoami;
    this.userIds = userIds;
    this.sessions = sessions;
    this.cookie = cookie;
    this.clock = clock;
    var key = new SecretKeySpec(bindingKey.clone(), "HmacSHA256");
    this.mac = ThreadLocal.withInitial(() -> {
      try {
        var m = Mac.getInstance("HmacSHA256");
        m.init(key);
        return m;
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
      }
    });
    long positive = cacheFor.toNanos();
    long negative = Math.min(positive, NOBODY_TTL.toNanos());
    this.answers = Caffeine.newBuilder().maximumSize(MAX_CACHED)
        .expireAfter(new Expiry<String, Optional<Answer>>() {
          @Override
          public long expireAfterCreate(String key, Optional<Answer> value, long now) {
            return value.isPresent() ? positive : negative;
          }

          @Override
          public long expireAfterUpdate(String key, Optional<Answer> value, long now, long current) {
            return expireAfterCreate(key, value, now);
          }

          @Override
          public long expireAfterRead(String key, Optional<Answer> value, long now, long current) {
            return current;
          }
        })
        .executor(Runnable::run)
        // Expiry reads the gateway's clock, as every other time it keeps (tests move it by hand).
        .ticker(() -> {
          var t = clock.instant();
          return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        })
        .buildAsync();
  }

  /** The caller of a request with these {@code Cookie} header(s): an app user, or nobody. */
  public CompletionStage<Optional<Session>> caller(String cookieHeader) {
    var app = appCookies(cookieHeader);
    var sid = cookie.read(cookieHeader);
    if (app.isEmpty()) {
      sid.ifPresent(this::endIfBound);
      return NOBODY;
    }
    return resolve(app.get()).thenCompose(who -> {
      if (who.isEmpty()) {
        sid.ifPresent(this::endIfBound);
        return NOBODY;
      }
      var answer = who.get();
      if (sid.isEmpty()) return CompletableFuture.completedFuture(Optional.of(answer.appSession()));
      return sessions.find(sid.get()).thenApply(found -> {
        if (found.isPresent() && belongs(found.get(), app.get(), answer.who()))
          return Optional.of(withGroups(found.get(), answer.who().groups()));
        found.filter(s -> s.appBinding().isPresent()).ifPresent(s -> sessions.end(s.id()));
        return Optional.of(answer.appSession());
      });
    });
  }

  /**
   * The caller from what this node knows now, changing nothing: {@code Optional.of(empty)} for
   * nobody, empty when {@link #caller} must be asked (an answer not cached, a stepgate session not
   * known here, or one that no longer belongs and must be ended).
   */
  public Optional<Optional<Session>> callerNow(String cookieHeader) {
    var app = appCookies(cookieHeader);
    var sid = cookie.read(cookieHeader);
    if (app.isEmpty()) return sid.isEmpty() ? Optional.of(Optional.empty()) : Optional.empty();
    var cached = answers.getIfPresent(app.get().binding());
    if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) return Optional.empty();
    var who = cached.join();
    if (who.isEmpty()) return sid.isEmpty() ? Optional.of(Optional.empty()) : Optional.empty();
    if (sid.isEmpty()) return Optional.of(Optional.of(who.get().appSession()));
    var known = sessions.findNow(sid.get());
    if (known.isEmpty() || !belongs(known.get(), app.get(), who.get().who())) return Optional.empty();
    return Optional.of(Optional.of(withGroups(known.get(), who.get().who().groups())));
  }

  /** True when {@code s} is an app session that stepgate does not store (it has no stepgate cookie of its own). */
  public static boolean unstored(Session s) {
    return s.appBinding().isPresent() && s.id().startsWith(APP_SESSION_PREFIX);
  }

  private static boolean belongs(Session s, AppCookies app, Resolved who) {
    return s.signedIn() && s.appBinding().equals(Optional.of(app.binding())) && s.userId().equals(who.userId());
  }

  /** The session as is when it already carries exactly {@code groups} (no copy per request). */
  private static Session withGroups(Session s, Set<String> groups) {
    return groups.equals(s.groups()) ? s : s.withGroups(groups);
  }

  private static Session appSession(String binding, Resolved who) {
    return new Session(APP_SESSION_PREFIX + binding, who.userId(), who.username(), who.firstSeen(), null, false, false,
        Optional.empty(), who.firstSeen(), Session.Device.UNKNOWN, who.firstSeen(), false, who.groups(),
        Optional.of(binding));
  }

  /**
   * The app's answer for these cookies: from the cache, else asked once however many requests
   * wait for it (at most {@link #MAX_IN_FLIGHT} different questions at a time; past that the
   * request fails, the app is not flooded). Only answers enter the cache: a failed question is
   * forgotten, so the next request asks again.
   */
  private CompletionStage<Optional<Answer>> resolve(AppCookies app) {
    var key = app.binding();
    var cached = answers.getIfPresent(key);
    if (cached != null) return cached;
    if (inFlight.size() >= MAX_IN_FLIGHT)
      return CompletableFuture.failedFuture(new dev.stepgate.StepgateException("whoami-unavailable", 503,
          "Too many questions to the app's whoami endpoint at once."));
    var mine = new CompletableFuture<Optional<Answer>>();
    var other = inFlight.putIfAbsent(key, mine);
    if (other != null) return other;
    var seen = clock.instant();
    CompletionStage<Optional<Answer>> asked;
    try {
      asked = whoami.ask(app.header()).thenCompose(user -> user.isEmpty()
          ? CompletableFuture.completedFuture(Optional.<Answer>empty())
          : userIds.apply(user.get().username()).thenApply(id -> id.map(uid -> {
            var who = new Resolved(user.get().username(), uid, user.get().groups(), seen);
            return new Answer(who, appSession(key, who));
          })));
    } catch (RuntimeException e) {
      asked = CompletableFuture.failedFuture(e);
    }
    asked.whenComplete((value, err) -> {
      if (err == null) answers.put(key, CompletableFuture.completedFuture(value));
      inFlight.remove(key, mine);
      if (err == null) mine.complete(value);
      else mine.completeExceptionally(err);
    });
    return mine;
  }

  private void endIfBound(String sid) {
    sessions.find(sid).thenAccept(found -> found.filter(s -> s.appBinding().isPresent()).ifPresent(s -> sessions.end(s.id())))
        .exceptionally(err -> null);
  }

  /**
   * The last two {@code Cookie} headers one thread parsed, and what they gave: parsing and the
   * keyed hash cost more than the rest of a cached bolt-on admission. Only two are kept per
   * thread, so no more app cookies stay in memory than requests in flight would hold anyway.
   */
  private static final class LastParsed {
    private static final int MAX_LENGTH = 8192;
    private String first;
    private Optional<AppCookies> firstParsed;
    private String second;
    private Optional<AppCookies> secondParsed;

    Optional<AppCookies> get(String header) {
      // The headers hold the app's session secrets: compared in constant time, never by prefix.
      if (dev.stepgate.ConstantTime.equals(header, first)) return firstParsed;
      if (dev.stepgate.ConstantTime.equals(header, second)) return secondParsed;
      return null;
    }

    void put(String header, Optional<AppCookies> parsed) {
      if (header.length() > MAX_LENGTH) return;
      second = first;
      secondParsed = firstParsed;
      first = header;
      firstParsed = parsed;
    }
  }

  /** The app's session cookies of a request, canonical, and their binding. */
  record AppCookies(String header, String binding) {}

  /**
   * The configured cookies present in {@code cookieHeader}, in configured order; empty when none
   * is there or one is there twice (ambiguous).
   */
  Optional<AppCookies> appCookies(String cookieHeader) {
    if (cookieHeader == null || cookieHeader.isEmpty()) return Optional.empty();
    var memo = lastParsed.get();
    var known = memo.get(cookieHeader);
    if (known != null) return known;
    var parsed = parse(cookieHeader);
    memo.put(cookieHeader, parsed);
    return parsed;
  }

  private Optional<AppCookies> parse(String cookieHeader) {
    var found = new LinkedHashMap<String, String>();
    for (var part : cookieHeader.split(";")) {
      int eq = part.indexOf('=');
      if (eq <= 0) continue;
      var name = part.substring(0, eq).trim();
      if (!cookieNames.contains(name)) continue;
      var value = part.substring(eq + 1).trim();
      if (value.isEmpty()) continue;
      if (found.containsKey(name)) return Optional.empty();
      found.put(name, value);
    }
    if (found.isEmpty()) return Optional.empty();
    var header = new StringBuilder();
    var canonical = new StringBuilder();
    for (var name : cookieNames) {
      var value = found.get(name);
      if (value == null) continue;
      if (header.length() > 0) header.append("; ");
      header.append(name).append('=').append(value);
      canonical.append(name).append('=').append(value).append('\n');
    }
    return Optional.of(new AppCookies(header.toString(), binding(canonical.toString())));
  }

  /** HMAC-SHA256 of the canonical app cookies under the install's key, base64url: what stepgate state is bound to. */
  String binding(String canonical) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.get().doFinal(("stepgate-app-binding\0" + canonical).getBytes(StandardCharsets.UTF_8)));
  }
}

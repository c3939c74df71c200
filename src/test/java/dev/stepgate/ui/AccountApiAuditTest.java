package dev.stepgate.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.audit.AuditEntry;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionIds;
import dev.stepgate.testing.RecordingAuditTrail;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the account API writes to the audit trail (SPEC section 9): {@code passkey_renamed} with
 * the credential id, {@code session_ended} with what was ended; the caller's sid (a hash), never a
 * session id or a cookie; nothing for a refused call.
 */
class AccountApiAuditTest {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final SessionCookie cookie = new SessionCookie(false);
  final HttpClient http = HttpClient.newHttpClient();
  final RecordingAuditTrail trail = new RecordingAuditTrail();
  final MemorySessionStore sessions = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12));
  Storage storage;
  int port;
  String userId;
  String credentialId;
  String current;
  String other;

  @BeforeEach
  void serve() throws Exception {
    storage = EmbeddedStore.open(dir).storage();
    var user = new User(SessionIds.next(), "alice", "Alice", T0);
    userId = user.id();
    storage.users().create(user).toCompletableFuture().get();
    var raw = new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
    credentialId = CredentialId.of(raw).base64url();
    storage.passkeys().add(new StoredCredential(raw, userId, new byte[] {9}, 0, true, true, true, Set.of(), "laptop", T0,
        Optional.empty(), UUID.fromString("bada5566-a7aa-401f-bd96-45619a55120d"))).toCompletableFuture().get();
    current = SessionIds.next();
    other = SessionIds.next();
    for (var id : List.of(current, other))
      sessions.create(new Session(id, userId, "alice", Instant.now(), credentialId, true, true, Optional.empty(), Instant.now()));
    var router = Router.router(vertx);
    router.post("/.stepgate/api/*").handler(BodyHandler.create(false));
    router.route("/.stepgate/api/*").handler(new SessionLookup(cookie, sessions));
    new AccountApi(vertx, storage.passkeys(), sessions, cookie, AuthenticatorNames.bundled(), trail,
        new HeaderHygiene(List.of(), cookie)).mount(router);
    port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    storage.close();
  }

  HttpResponse<String> call(String method, String path, JsonObject body) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/.stepgate/api/" + path))
        .timeout(Duration.ofSeconds(10)).header("Cookie", cookie.name() + "=" + current)
        .header("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/133.0");
    if (body == null) b.GET();
    else b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  void assertNoSecrets() {
    for (var e : trail.entries()) {
      var text = e.toString();
      assertFalse(text.contains(current) || text.contains(other), "never a session id: " + text);
    }
  }

  @Test
  void rename_emitsPasskeyRenamed_withTheCredentialAndTheCallersSid() throws Exception {
    var r = call("POST", "credentials/rename", new JsonObject().put("credentialId", credentialId).put("label", "work"));
    assertEquals(200, r.statusCode(), r.body());
    var renamed = trail.named("passkey_renamed");
    assertEquals(1, renamed.size());
    var e = renamed.get(0);
    assertEquals(Optional.of(userId), e.user());
    assertEquals(Optional.of(AuditEntry.sessionHash(current)), e.sid());
    assertEquals(Map.of("credential", credentialId), e.fields());
    assertEquals(Optional.of("127.0.0.1"), e.ip());
    assertEquals(Optional.of("macos"), e.platform());
    assertFalse(e.fields().containsValue("work"), "the label is the owner's text, not an audit field");
    assertNoSecrets();
  }

  @Test
  void refusedRename_isAuditedAsRefused_andRenamesNothing() throws Exception {
    assertEquals(400, call("POST", "credentials/rename", new JsonObject().put("credentialId", credentialId)
        .put("label", "<b>")).statusCode());
    assertEquals(404, call("POST", "credentials/rename", new JsonObject().put("credentialId", "AAAA")
        .put("label", "x")).statusCode());
    assertEquals(List.of(), trail.named("passkey_renamed"));
    var refused = trail.named("account_change_refused");
    assertEquals(List.of("invalid-label", "passkey-not-found"), refused.stream().map(e -> e.fields().get("reason")).toList());
    assertEquals(List.of("rename", "rename"), refused.stream().map(e -> e.fields().get("action")).toList());
    assertEquals(Optional.of(userId), refused.get(0).user());
    assertFalse(refused.get(0).toString().contains("<b>"), "the refused text is not kept");
    assertNoSecrets();
  }

  @Test
  void endSession_emitsSessionEnded_withTheHandleOrOthers() throws Exception {
    var handle = AuditEntry.sessionHash(other);
    assertEquals(200, call("POST", "sessions/end", new JsonObject().put("session", handle)).statusCode());
    assertEquals(200, call("POST", "sessions/end", new JsonObject().put("others", true)).statusCode());
    assertEquals(404, call("POST", "sessions/end", new JsonObject().put("session", handle)).statusCode());
    var ended = trail.named("session_ended");
    assertEquals(2, ended.size());
    assertEquals(Map.of("ended", handle), ended.get(0).fields());
    assertEquals(Map.of("ended", "others"), ended.get(1).fields());
    for (var e : ended) assertEquals(Optional.of(AuditEntry.sessionHash(current)), e.sid());
    assertNoSecrets();
  }

  @Test
  void credentials_nameTheProvider_fromTheAaguid() throws Exception {
    var r = call("GET", "credentials", null);
    assertEquals(200, r.statusCode(), r.body());
    var c = new JsonObject(r.body()).getJsonArray("credentials").getJsonObject(0);
    assertEquals("1Password", c.getString("authenticator"));
    assertTrue(c.getBoolean("synced"));
    assertEquals(T0.getEpochSecond(), c.getLong("createdAt"));
    assertEquals(null, c.getValue("lastUsedAt"));
  }
}

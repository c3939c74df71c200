package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.PostgresServer;
import dev.stepgate.testing.Readiness;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole gateways on {@code storage.driver: postgres}: two nodes on one database share passkeys and
 * signing keys (a passkey enrolled on A signs in on B, and A's JWKS verifies B's assertions), and
 * with Postgres gone a ceremony that needs it answers 503 promptly while public routes are served,
 * then works again once Postgres is back. Each test has its own server, since one stops it.
 */
class PostgresGatewayTest {
  static final String POLICY = Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN;

  @TempDir Path dir;
  PostgresServer postgres;
  TestUpstream upstream;
  String url;

  @BeforeEach
  void start() throws Exception {
    postgres = PostgresServer.start();
    url = postgres.newDatabase();
    upstream = new TestUpstream();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      upstream.close();
    } finally {
      postgres.close();
    }
  }

  String storage() {
    return "storage: { driver: postgres, url: \"" + url + "\" }\n";
  }

  @Test
  void twoNodesOnOneDatabase_sharePasskeysAndSigningKeys() throws Exception {
    var portA = PasskeyUser.freePort();
    var portB = PasskeyUser.freePort();
    var baseA = "http://localhost:" + portA;
    var baseB = "http://localhost:" + portB;
    var origins = "webauthn: { origins: [\"" + baseA + "\", \"" + baseB + "\"] }\n";
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    var policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    try (var a = Gateways.start(upstream.url(), dir.resolve("a"), "listen: 127.0.0.1:" + portA + "\npublic_url: " + baseA
            + "\npolicies: " + policy + "\n" + origins + storage());
        var b = Gateways.start(upstream.url(), dir.resolve("b"), "listen: 127.0.0.1:" + portB + "\npublic_url: " + baseB
            + "\npolicies: " + policy + "\n" + origins + storage())) {
      var onA = new PasskeyUser(baseA);
      onA.enroll("alice");
      assertEquals(200, onA.send("GET", "/private/a", null).statusCode());

      // Sign in on B with the passkey enrolled through A: B reads it from the shared database.
      var onB = new PasskeyUser(baseB);
      var start = onB.api("login/options", new JsonObject().put("username", "alice"));
      var assertion = onA.authenticator.get(start.getJsonObject("publicKey").encode());
      onB.api("login/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
          .put("credential", new JsonObject(assertion)));
      upstream.clear();
      assertEquals(200, onB.send("GET", "/private/b", null).statusCode());
      var token = upstream.last().headers().get("X-Stepgate-Assertion");
      // Both nodes publish the one signing key: A's JWKS verifies what B signed.
      assertEquals("alice", onA.verify(token).getStringClaim("preferred_username"));
    }
  }

  @Test
  void postgresDown_ceremoniesAnswer503Promptly_publicRoutesServed_andRecoverAfterRestart() throws Exception {
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, storage());
    try (var gateway = started.gateway()) {
      var user = new PasskeyUser(started.base());
      user.enroll("alice");

      assertEquals("ok", Readiness.read(started.base()).getJsonObject("storage").getString("status"));
      postgres.stop();
      var down = Readiness.await(started.base(), "storage", "down", Duration.ofSeconds(3)).body();
      assertEquals("postgres", down.getJsonObject("storage").getString("driver"));
      assertEquals("degraded", down.getString("status"));
      assertEquals("ok", down.getJsonObject("sessions").getString("status"), "memory sessions need no Postgres");
      assertTrue(down.getJsonObject("storage").containsKey("reason"), down.encode());
      assertFalse(down.encode().contains(postgres.url("x").split("@")[0].split(":")[2]), "readyz never shows the password");
      var anonymous = new PasskeyUser(started.base());
      long t0 = System.nanoTime();
      var r = anonymous.send("POST", "/.stepgate/api/registration/options", new JsonObject().put("username", "bob").encode(),
          "Content-Type", "application/json", "Origin", started.base());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("storage-unavailable"), r.body());
      assertFalse(r.body().contains("Exception"), r.body());
      assertTrue(ms < 5_000, "answered in " + ms + " ms");
      assertEquals(200, anonymous.send("GET", "/public/page", null).statusCode(), "public routes need no storage");
      // A session this node made before the outage is served from memory (sessions.driver: memory).
      assertEquals(200, user.send("GET", "/private/x", null).statusCode());

      postgres.startAgain();
      var bob = new PasskeyUser(started.base());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (true) {
        try {
          bob.enroll("bob");
          break;
        } catch (AssertionError e) {
          if (System.nanoTime() > deadline) throw e;
          Thread.sleep(200);
        }
      }
      assertEquals(200, bob.send("GET", "/private/x", null).statusCode());
      var back = Readiness.await(started.base(), "storage", "ok", Duration.ofSeconds(5)).body();
      assertEquals("ok", back.getString("status"), back.encode());
    }
  }
}

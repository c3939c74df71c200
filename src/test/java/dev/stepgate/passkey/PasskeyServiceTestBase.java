package dev.stepgate.passkey;

import dev.stepgate.testing.TestClock;
import dev.stepgate.Async;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.StepgateException;
import dev.stepgate.credential.BlockingStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A service over a real embedded store, a fixed clock, and helpers for the common flows. */
abstract class PasskeyServiceTestBase {
  static final String ORIGIN = "https://gate.example.com";
  static final String RP_ID = "gate.example.com";
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  BlockingStore store;
  TestClock clock;
  BlockingPasskeys service;
  SoftAuthenticator soft;

  @BeforeEach
  void setUp() {
    store = BlockingStore.open(dir);
    clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    service = service(settings(true, false, Set.of()));
    soft = new SoftAuthenticator();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static PasskeySettings settings(boolean uv, boolean direct, Set<UUID> aaguids) {
    return new PasskeySettings(RP_ID, "Example", Set.of(ORIGIN), uv, direct, aaguids, Duration.ofMinutes(5));
  }

  BlockingPasskeys service(PasskeySettings s) {
    var p = store.storage();
    return new BlockingPasskeys(new PasskeyService(s, p.users(), p.passkeys(), p.invites(), p.audit(),
        new MemoryCeremonyStore(Duration.ofMinutes(10)), clock, Runnable::run,
        Async.join(p.secrets().getOrCreate(PasskeyService.DECOY_KEY, PasskeyService.newDecoyKey()))));
  }

  /** Registers {@code username} (open mode) with the soft authenticator; returns the credential id. */
  String registerSoft(String username) throws Exception {
    var start = service.startRegistration(username, Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
    return service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.of("laptop"),
        Optional.empty()).credential().credentialIdBase64();
  }

  String userId(String username) {
    return store.findUserByUsername(username).orElseThrow().id();
  }

  /** Starts a login (named when {@code username} is given) and answers it with {@code credentialId}. */
  Authenticated loginSoft(Optional<String> username, String credentialId) throws Exception {
    var start = service.startLogin(username);
    return service.finishLogin(start.ceremonyId(), soft.assertWith(credentialId, start.publicKeyJson()));
  }

  static JsonNode json(String s) {
    return JSON.readTree(s);
  }

  static void assertRefused(String type, int status, Executable e) {
    var ex = assertThrows(StepgateException.class, e);
    assertEquals(type, ex.type(), "type; message was: " + ex.getMessage());
    assertEquals(status, ex.status());
  }
}

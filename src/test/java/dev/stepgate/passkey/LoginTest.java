package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebAuthn L3 §7.2 as PasskeyService applies it, one refused case per rule. */
class LoginTest extends PasskeyServiceTestBase {
  String alice;

  @BeforeEach
  void registerAlice() throws Exception {
    alice = registerSoft("alice");
  }

  @Test
  void login_discoverable_succeedsAndPersistsState() throws Exception {
    soft.counter = 7;
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV;
    clock.advance(Duration.ofMinutes(1));
    var start = service.startLogin(Optional.empty());
    var opts = json(start.publicKeyJson());
    assertEquals(0, opts.get("allowCredentials").size());
    assertEquals(RP_ID, opts.get("rpId").asString());
    assertEquals("required", opts.get("userVerification").asString());
    var auth = service.finishLogin(start.ceremonyId(), soft.assertWith(alice, start.publicKeyJson()));
    assertEquals("alice", auth.user().username());
    assertEquals(alice, auth.credentialId());
    assertTrue(auth.userVerified());
    assertFalse(auth.backupEligible());
    var stored = store.findCredential(Base64.getUrlDecoder().decode(alice)).orElseThrow();
    assertEquals(7, stored.signCount());
    assertEquals(Optional.of(clock.instant()), stored.lastUsedAt());
  }

  @Test
  void login_named_listsTheUsersPasskeys() throws Exception {
    var start = service.startLogin(Optional.of("Alice"));
    assertEquals(alice, json(start.publicKeyJson()).get("allowCredentials").get(0).get("id").asString());
    assertEquals("alice", service.finishLogin(start.ceremonyId(), soft.assertWith(alice, start.publicKeyJson())).user().username());
  }

  @Test
  void login_wrongOrigin_isRefused() {
    soft.origin = "https://gate.example.com.evil.net";
    assertRefused("origin-mismatch", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_wrongRpId_isRefused() {
    soft.rpId = "example.com";
    assertRefused("rp-id-mismatch", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_replayedResponse_isRefused() throws Exception {
    var start = service.startLogin(Optional.empty());
    var response = soft.assertWith(alice, start.publicKeyJson());
    service.finishLogin(start.ceremonyId(), response);
    assertRefused("ceremony-invalid", 400, () -> service.finishLogin(start.ceremonyId(), response));
  }

  @Test
  void login_responseToAnotherCeremony_isRefused() throws Exception {
    var first = service.startLogin(Optional.empty());
    var second = service.startLogin(Optional.empty());
    var answerToFirst = soft.assertWith(alice, first.publicKeyJson());
    assertRefused("challenge-mismatch", 401, () -> service.finishLogin(second.ceremonyId(), answerToFirst));
  }

  @Test
  void login_expiredCeremony_isRefused() throws Exception {
    var start = service.startLogin(Optional.empty());
    var response = soft.assertWith(alice, start.publicKeyJson());
    clock.advance(Duration.ofMinutes(5));
    assertRefused("ceremony-invalid", 400, () -> service.finishLogin(start.ceremonyId(), response));
  }

  @Test
  void login_justBeforeExpiry_isAccepted() throws Exception {
    var start = service.startLogin(Optional.empty());
    var response = soft.assertWith(alice, start.publicKeyJson());
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertEquals("alice", service.finishLogin(start.ceremonyId(), response).user().username());
  }

  @Test
  void login_unknownCeremony_isRefused() {
    assertRefused("ceremony-invalid", 400, () -> service.finishLogin("bm9wZQ", "{}"));
  }

  @Test
  void login_registrationCeremonyId_isRefused() throws Exception {
    var reg = service.startRegistration("bob", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
    var response = soft.assertWith(alice, reg.publicKeyJson().replace("\"rp\":{\"id\"", "\"rpId\":\"" + RP_ID + "\",\"rp\":{\"id\""));
    assertRefused("ceremony-invalid", 400, () -> service.finishLogin(reg.ceremonyId(), response));
  }

  @Test
  void login_withoutUserVerification_whenRequired_isRefused() {
    soft.flags = SoftAuthenticator.UP;
    assertRefused("user-verification-required", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_withoutUserVerification_whenPreferred_isAcceptedAndReported() throws Exception {
    service = service(settings(false, false, Set.of()));
    soft.flags = SoftAuthenticator.UP;
    assertFalse(loginSoft(Optional.empty(), alice).userVerified());
  }

  @Test
  void login_withoutUserPresence_isRefused() {
    service = service(settings(false, false, Set.of()));
    soft.flags = 0;
    assertRefused("user-presence-required", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_tamperedAuthenticatorData_isRefused() {
    soft.tamper = true;
    assertRefused("bad-signature", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_unknownCredential_isRefused() throws Exception {
    var forged = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    soft.forge(forged, store.findUserByUsername("alice").orElseThrow().idBytes());
    assertRefused("unknown-credential", 401, () -> loginSoft(Optional.empty(), forged));
  }

  @Test
  void login_revokedCredential_isRefused() {
    assertTrue(store.revokeCredential(userId("alice"), Base64.getUrlDecoder().decode(alice)));
    assertRefused("unknown-credential", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_userHandleOfAnotherUser_isRefused() throws Exception {
    registerSoft("bob");
    soft.userHandleOverride = store.findUserByUsername("bob").orElseThrow().idBytes();
    assertRefused("user-handle-mismatch", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_discoverableWithoutUserHandle_isRefused() {
    soft.omitUserHandle = true;
    assertRefused("user-handle-mismatch", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_namedWithoutUserHandle_isAccepted() throws Exception {
    soft.omitUserHandle = true;
    assertEquals("alice", loginSoft(Optional.of("alice"), alice).user().username());
  }

  @Test
  void login_namedUsernameButAnotherUsersPasskey_isRefused() throws Exception {
    var bob = registerSoft("bob");
    assertRefused("unknown-credential", 401, () -> loginSoft(Optional.of("alice"), bob));
  }

  @Test
  void login_unknownUsernameWithRealPasskey_isRefused() {
    assertRefused("unknown-credential", 401, () -> loginSoft(Optional.of("nobody"), alice));
  }

  @Test
  void login_counterGoesBackwards_isRefusedAndRecorded() throws Exception {
    soft.counter = 10;
    loginSoft(Optional.empty(), alice);
    soft.counter = 9;
    assertRefused("counter-regression", 401, () -> loginSoft(Optional.empty(), alice));
    var event = store.recentEvents(1).get(0);
    assertEquals("possible-clone", event.kind());
    assertEquals(Optional.of(userId("alice")), event.userId());
    assertTrue(event.detail().contains("stored=10 presented=9"), event.detail());
    assertEquals(10, store.findCredential(Base64.getUrlDecoder().decode(alice)).orElseThrow().signCount());
  }

  @Test
  void login_counterEqualAndNonZero_isRefused() throws Exception {
    soft.counter = 5;
    loginSoft(Optional.empty(), alice);
    assertRefused("counter-regression", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_counterZeroOnBothSides_isAcceptedRepeatedly() throws Exception {
    soft.counter = 0;
    loginSoft(Optional.empty(), alice);
    loginSoft(Optional.empty(), alice);
  }

  @Test
  void login_counterDropsToZeroAfterNonZero_isRefused() throws Exception {
    soft.counter = 3;
    loginSoft(Optional.empty(), alice);
    soft.counter = 0;
    assertRefused("counter-regression", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_backupEligibilityAppears_isRefused() {
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV | SoftAuthenticator.BE;
    assertRefused("backup-eligibility-changed", 401, () -> loginSoft(Optional.empty(), alice));
  }

  @Test
  void login_backupEligibilityDisappears_isRefused() throws Exception {
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV | SoftAuthenticator.BE | SoftAuthenticator.BS;
    var synced = registerSoft("bob");
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV;
    assertRefused("backup-eligibility-changed", 401, () -> loginSoft(Optional.empty(), synced));
  }

  @Test
  void login_syncedPasskey_reportsBackupFlagsAndPersistsBackupState() throws Exception {
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV | SoftAuthenticator.BE;
    var synced = registerSoft("bob");
    soft.flags = SoftAuthenticator.UP | SoftAuthenticator.UV | SoftAuthenticator.BE | SoftAuthenticator.BS;
    var auth = loginSoft(Optional.empty(), synced);
    assertTrue(auth.backupEligible());
    assertTrue(auth.backupState());
    assertTrue(store.findCredential(Base64.getUrlDecoder().decode(synced)).orElseThrow().backupState());
  }

  @Test
  void login_malformedResponse_isInvalidRequest() {
    var start = service.startLogin(Optional.empty());
    assertRefused("invalid-request", 400, () -> service.finishLogin(start.ceremonyId(), "[1,2"));
  }

  @Test
  void loginOptions_unknownAndKnownUsername_haveTheSameShape() {
    var known = json(service.startLogin(Optional.of("alice")).publicKeyJson());
    var unknown = json(service.startLogin(Optional.of("nobody")).publicKeyJson());
    assertEquals(fieldNames(known), fieldNames(unknown));
    var k = known.get("allowCredentials").get(0);
    var u = unknown.get("allowCredentials").get(0);
    assertEquals(fieldNames(k), fieldNames(u));
    assertEquals(k.get("id").asString().length(), u.get("id").asString().length());
    assertEquals("public-key", u.get("type").asString());
    assertTrue(u.get("transports").size() > 0);
  }

  @Test
  void loginOptions_unknownUsername_decoysAreStable() {
    var a = json(service.startLogin(Optional.of("nobody")).publicKeyJson()).get("allowCredentials");
    var b = json(service.startLogin(Optional.of("NoBody ")).publicKeyJson()).get("allowCredentials");
    var c = json(service.startLogin(Optional.of("someone-else")).publicKeyJson()).get("allowCredentials");
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  private static java.util.List<String> fieldNames(tools.jackson.databind.JsonNode n) {
    var out = new java.util.ArrayList<String>();
    n.propertyNames().forEach(out::add);
    return out;
  }

  void disable(String username, boolean disabled) {
    dev.stepgate.Async.join(store.storage().users().setDisabled(userId(username), disabled));
  }

  @Test
  void login_disabledUser_isRefusedAfterVerification_andNothingIsRecorded() throws Exception {
    disable("alice", true);
    assertRefused("account-disabled", 403, () -> loginSoft(Optional.empty(), alice));
    assertRefused("account-disabled", 403, () -> loginSoft(Optional.of("alice"), alice));
    assertEquals(Optional.empty(), store.findCredential(Base64.getUrlDecoder().decode(alice)).orElseThrow().lastUsedAt());
    disable("alice", false);
    assertEquals("alice", loginSoft(Optional.empty(), alice).user().username());
  }

  @Test
  void login_disabledUser_optionsLookAsEver() throws Exception {
    // Whoever lacks the passkey learns nothing: the named options still list the same passkeys.
    var before = json(service.startLogin(Optional.of("alice")).publicKeyJson()).get("allowCredentials");
    disable("alice", true);
    assertEquals(before, json(service.startLogin(Optional.of("alice")).publicKeyJson()).get("allowCredentials"));
  }

  @Test
  void accountDisabled_saysWhatTheProblemCatalogueSays() {
    var e = PasskeyService.accountDisabled();
    var p = dev.stepgate.admission.Problems.ACCOUNT_DISABLED;
    assertEquals(p.type(), e.type());
    assertEquals(p.status(), e.status());
    assertEquals(p.detail(), e.getMessage());
  }

  @Test
  void requireEnabled_readsTheFlagNow() throws Exception {
    var id = userId("alice");
    dev.stepgate.Async.join(service.service.requireEnabled(id));
    // Disabled after the assertion verified, before the session's cookie went out.
    var auth = loginSoft(Optional.empty(), alice);
    disable("alice", true);
    assertRefused("account-disabled", 403, () -> dev.stepgate.Async.join(service.service.requireEnabled(auth.user().id())));
    assertRefused("account-disabled", 403, () -> dev.stepgate.Async.join(service.service.requireEnabled("Z29uZQ")));
  }
}

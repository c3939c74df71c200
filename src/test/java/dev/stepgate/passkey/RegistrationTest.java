package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** WebAuthn L3 §7.1 as PasskeyService applies it, one refused case per rule. */
class RegistrationTest extends PasskeyServiceTestBase {

  CeremonyStart startOpen(String username) {
    return service.startRegistration(username, Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
  }

  @Test
  void registerThenLogin_withEmulatedPackedAuthenticator_roundTrips() {
    var browser = new EmulatedBrowser(ORIGIN);
    var start = service.startRegistration("  Alice ", Optional.of("Alice A."), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
    var opts = json(start.publicKeyJson());
    assertEquals(RP_ID, opts.get("rp").get("id").asString());
    assertEquals("alice", opts.get("user").get("name").asString());
    assertEquals("required", opts.get("authenticatorSelection").get("residentKey").asString());
    assertEquals("required", opts.get("authenticatorSelection").get("userVerification").asString());
    assertEquals(43, opts.get("challenge").asString().length());
    assertEquals("none", opts.get("attestation").asString());
    assertEquals(3, opts.get("pubKeyCredParams").size());

    var reg = service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.of("yubikey"), Optional.empty());
    assertTrue(reg.newUser());
    assertEquals("alice", reg.user().username());
    assertEquals("Alice A.", reg.user().displayName());
    assertEquals("yubikey", reg.credential().label());
    assertEquals(Optional.of(reg.credential()), store.findCredential(reg.credential().credentialId()));
    assertEquals(Set.of("usb"), reg.credential().transports());

    var login = service.startLogin(Optional.of("alice"));
    var auth = service.finishLogin(login.ceremonyId(), browser.get(login.publicKeyJson()));
    assertEquals(reg.user(), auth.user());
    assertEquals(reg.credential().credentialIdBase64(), auth.credentialId());
    assertTrue(auth.userVerified());
    assertEquals(clock.instant(), auth.at());
    assertEquals(reg.credential().createdAt(), auth.credentialCreatedAt());
  }

  @Test
  void register_wrongOrigin_isRefused() {
    var start = startOpen("alice");
    var browser = new EmulatedBrowser("https://evil.example.com");
    assertRefused("origin-mismatch", 401, () -> service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.empty(), Optional.empty()));
    assertEquals(Optional.empty(), store.findUserByUsername("alice"));
  }

  @Test
  void register_originWithOtherPort_isRefused() {
    var start = startOpen("alice");
    var browser = new EmulatedBrowser(ORIGIN + ":8443");
    assertRefused("origin-mismatch", 401, () -> service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_wrongRpId_isRefused() {
    var start = startOpen("alice");
    var browser = new EmulatedBrowser(ORIGIN);
    browser.rpIdOverride = "example.com";
    assertRefused("rp-id-mismatch", 401, () -> service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_usedCeremony_isRefused() throws Exception {
    var start = startOpen("alice");
    var response = soft.register(start.publicKeyJson());
    service.finishRegistration(start.ceremonyId(), response, Optional.empty(), Optional.empty());
    assertRefused("ceremony-invalid", 400, () -> service.finishRegistration(start.ceremonyId(), response, Optional.empty(), Optional.empty()));
  }

  @Test
  void register_failedAttempt_stillUsesUpTheCeremony() throws Exception {
    var start = startOpen("alice");
    soft.origin = "https://evil.example.com";
    var bad = soft.register(start.publicKeyJson());
    assertRefused("origin-mismatch", 401, () -> service.finishRegistration(start.ceremonyId(), bad, Optional.empty(), Optional.empty()));
    soft.origin = ORIGIN;
    var good = soft.register(start.publicKeyJson());
    assertRefused("ceremony-invalid", 400, () -> service.finishRegistration(start.ceremonyId(), good, Optional.empty(), Optional.empty()));
  }

  @Test
  void register_expiredCeremony_isRefused() throws Exception {
    var start = startOpen("alice");
    var response = soft.register(start.publicKeyJson());
    clock.advance(Duration.ofMinutes(5));
    assertRefused("ceremony-invalid", 400, () -> service.finishRegistration(start.ceremonyId(), response, Optional.empty(), Optional.empty()));
  }

  @Test
  void register_challengeOfAnotherCeremony_isRefused() throws Exception {
    var first = startOpen("alice");
    var second = startOpen("alice");
    var answerToFirst = soft.register(first.publicKeyJson());
    assertRefused("challenge-mismatch", 401, () -> service.finishRegistration(second.ceremonyId(), answerToFirst, Optional.empty(), Optional.empty()));
  }

  @Test
  void register_withoutUserVerification_whenRequired_isRefused() throws Exception {
    var start = startOpen("alice");
    soft.flags = SoftAuthenticator.UP;
    assertRefused("user-verification-required", 401, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_withoutUserVerification_whenPreferred_isAccepted() throws Exception {
    service = service(settings(false, false, Set.of()));
    var start = startOpen("alice");
    assertEquals("preferred", json(start.publicKeyJson()).get("authenticatorSelection").get("userVerification").asString());
    soft.flags = SoftAuthenticator.UP;
    var reg = service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty());
    assertFalse(reg.credential().uvInitialized());
  }

  @Test
  void register_withoutUserPresence_isRefused() throws Exception {
    service = service(settings(false, false, Set.of()));
    var start = startOpen("alice");
    soft.flags = 0;
    assertRefused("user-presence-required", 401, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_algorithmNotOffered_isRefused() throws Exception {
    var start = startOpen("alice");
    soft.rsa1 = true;
    assertRefused("algorithm-not-allowed", 400, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_credentialIdOf1024Bytes_isRefused() throws Exception {
    var start = startOpen("alice");
    soft.credentialIdLength = 1024;
    assertRefused("invalid-request", 400, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_credentialIdOf1023Bytes_isAccepted() throws Exception {
    var start = startOpen("alice");
    soft.credentialIdLength = 1023;
    var reg = service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty());
    assertEquals(1023, reg.credential().credentialId().length);
  }

  @Test
  void register_credentialIdOfAnotherUser_isRefusedAndNotRebound() throws Exception {
    var aliceCred = registerSoft("alice");
    var start = startOpen("bob");
    soft.credentialIdOverride = java.util.Base64.getUrlDecoder().decode(aliceCred);
    assertRefused("credential-exists", 409, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
    assertEquals(userId("alice"), store.findCredential(soft.credentialIdOverride).orElseThrow().userId());
    assertEquals(Optional.empty(), store.findUserByUsername("bob"), "bob must not be created half-way");
  }

  @Test
  void register_loginResponseInsteadOfRegistration_isRefused() throws Exception {
    var start = startOpen("alice");
    soft.clientDataType = "webauthn.get";
    assertRefused("client-data-invalid", 401, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_malformedJson_isInvalidRequest() {
    var start = startOpen("alice");
    assertRefused("invalid-request", 400, () -> service.finishRegistration(start.ceremonyId(), "{\"id\": 3", Optional.empty(), Optional.empty()));
  }

  @Test
  void register_invalidUsername_isInvalidRequest() {
    assertRefused("invalid-request", 400, () -> startOpen("   "));
    assertRefused("invalid-request", 400, () -> startOpen("a\u0000b"));
  }

  // ---- who may add a passkey to which account

  @Test
  void register_existingUsernameByStranger_isRefused() throws Exception {
    registerSoft("alice");
    assertRefused("not-your-account", 403, () -> startOpen("alice"));
    assertRefused("not-your-account", 403, () -> startOpen("ALICE"));
    var bobId = store.findUserByUsername("alice").map(u -> "x").orElseThrow();
    assertRefused("not-your-account", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.of(bobId), RegistrationMode.OPEN));
  }

  @Test
  void register_existingUsernameBySignedInOwner_addsAPasskeyAndExcludesTheOld() throws Exception {
    var first = registerSoft("alice");
    var alice = userId("alice");
    var start = service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.of(alice), RegistrationMode.CLOSED);
    var opts = json(start.publicKeyJson());
    assertEquals(first, opts.get("excludeCredentials").get(0).get("id").asString());
    assertEquals(alice, opts.get("user").get("id").asString());
    var reg = service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.of("phone"), Optional.of(alice));
    assertFalse(reg.newUser());
    assertEquals(2, store.listCredentials(alice).size());
  }

  @Test
  void register_startedByOwnerButFinishedByOther_isRefused() throws Exception {
    registerSoft("alice");
    var alice = userId("alice");
    var start = service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.of(alice), RegistrationMode.OPEN);
    var response = soft.register(start.publicKeyJson());
    assertRefused("not-your-account", 403, () -> service.finishRegistration(start.ceremonyId(), response, Optional.empty(), Optional.empty()));
    assertEquals(1, store.listCredentials(alice).size());
  }

  @Test
  void register_signedInUserForNewUsername_isRefused() throws Exception {
    registerSoft("alice");
    assertRefused("not-your-account", 403, () -> service.startRegistration("mallory", Optional.empty(), Optional.empty(), Optional.of(userId("alice")), RegistrationMode.OPEN));
  }

  // ---- registration modes and invites

  @Test
  void register_closedMode_refusesNewUsername() {
    assertRefused("registration-closed", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.CLOSED));
  }

  @Test
  void register_inviteModeWithoutInvite_isRefused() {
    assertRefused("invite-invalid", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.INVITE));
  }

  @Test
  void register_inviteModeWithInvite_createsUserAndSpendsInvite() throws Exception {
    var token = dev.stepgate.Async.join(new InviteService(store.storage().invites(), store.storage().audit(), clock).createInvite("Alice", Duration.ofDays(7)));
    assertEquals(43, token.length());
    var start = service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE);
    service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty());
    assertTrue(store.findUserByUsername("alice").isPresent());
    assertEquals(Optional.empty(), store.findInvite(InviteService.hash(token).orElseThrow(), clock.instant()));
  }

  @Test
  void register_inviteForAnotherUsername_isRefused() {
    var token = dev.stepgate.Async.join(new InviteService(store.storage().invites(), store.storage().audit(), clock).createInvite("alice", Duration.ofDays(7)));
    assertRefused("invite-invalid", 403, () -> service.startRegistration("mallory", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE));
  }

  @Test
  void register_inviteUsedTwice_secondFinishIsRefused() throws Exception {
    var token = dev.stepgate.Async.join(new InviteService(store.storage().invites(), store.storage().audit(), clock).createInvite("alice", Duration.ofDays(7)));
    var first = service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE);
    var second = service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE);
    var r1 = soft.register(first.publicKeyJson());
    var r2 = soft.register(second.publicKeyJson());
    service.finishRegistration(first.ceremonyId(), r1, Optional.empty(), Optional.empty());
    // The username now exists too, but the invite is what is checked first at finish.
    assertRefused("username-taken", 409, () -> service.finishRegistration(second.ceremonyId(), r2, Optional.empty(), Optional.empty()));
    assertRefused("not-your-account", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE));
  }

  @Test
  void register_inviteSpentBetweenStartAndFinish_isRefused() throws Exception {
    var token = dev.stepgate.Async.join(new InviteService(store.storage().invites(), store.storage().audit(), clock).createInvite("alice", Duration.ofDays(7)));
    var start = service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE);
    assertTrue(store.consumeInvite(InviteService.hash(token).orElseThrow(), "alice", clock.instant()));
    assertRefused("invite-invalid", 403, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
    assertEquals(Optional.empty(), store.findUserByUsername("alice"));
  }

  @Test
  void register_expiredInvite_isRefused() {
    var token = dev.stepgate.Async.join(new InviteService(store.storage().invites(), store.storage().audit(), clock).createInvite("alice", Duration.ofHours(1)));
    clock.advance(Duration.ofHours(1));
    assertRefused("invite-invalid", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.of(token), Optional.empty(), RegistrationMode.INVITE));
  }

  @Test
  void register_garbageInvite_isRefusedEvenInOpenMode() {
    assertRefused("invite-invalid", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.of("not-a-token"), Optional.empty(), RegistrationMode.OPEN));
  }

  @Test
  void createInvite_tokensAreRandomAndOnlyTheirHashIsStored() throws Exception {
    var invites = new InviteService(store.storage().invites(), store.storage().audit(), clock);
    var a = dev.stepgate.Async.join(invites.createInvite("alice", Duration.ofDays(1)));
    var b = dev.stepgate.Async.join(invites.createInvite("alice", Duration.ofDays(1)));
    assertNotEquals(a, b);
    var db = java.nio.file.Files.readAllBytes(dir.resolve("stepgate.db"));
    var wal = dir.resolve("stepgate.db-wal");
    var all = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1)
        + (java.nio.file.Files.exists(wal) ? new String(java.nio.file.Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
    assertFalse(all.contains(a), "raw token must not be stored");
  }

  // ---- attestation

  @Test
  void register_directAttestationWithNoneFormat_isRefused() throws Exception {
    service = service(settings(true, true, Set.of()));
    var start = startOpen("alice");
    assertEquals("direct", json(start.publicKeyJson()).get("attestation").asString());
    assertRefused("attestation-required", 401, () -> service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  /** Direct attestation judged against webauthn4j-test's 3-tier root, which the emulator's chain reaches. */
  BlockingPasskeys trustingEmulatorRoot(Set<UUID> aaguids) {
    return service(new PasskeySettings(RP_ID, "Example", Set.of(ORIGIN), true, true, aaguids, Duration.ofMinutes(5),
        new dev.stepgate.config.AttestationRoots(
            java.util.List.of(com.webauthn4j.test.TestAttestationUtil.load3tierTestRootCACertificate()), java.util.Map.of())));
  }

  @Test
  void register_directAttestationAaguidNotAllowed_isRefused() {
    service = trustingEmulatorRoot(Set.of(UUID.fromString("00000000-0000-0000-0000-000000000001")));
    var start = startOpen("alice");
    var browser = new EmulatedBrowser(ORIGIN);
    assertRefused("authenticator-not-allowed", 403, () -> service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.empty(), Optional.empty()));
  }

  @Test
  void register_directAttestationAllowedAaguid_isAccepted() {
    // Learn the emulator's model, then allow exactly it.
    var browser = new EmulatedBrowser(ORIGIN);
    var probe = startOpen("probe");
    var aaguid = service.finishRegistration(probe.ceremonyId(), browser.create(probe.publicKeyJson()), Optional.empty(), Optional.empty()).credential().aaguid();
    service = trustingEmulatorRoot(Set.of(aaguid));
    var start = startOpen("alice");
    var reg = service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()), Optional.empty(), Optional.empty());
    assertEquals(aaguid, reg.credential().aaguid());
  }

  @Test
  void register_disabledOwner_isRefused_atStartAndAtFinish() throws Exception {
    registerSoft("alice");
    var alice = userId("alice");
    var start = service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.of(alice), RegistrationMode.OPEN);
    var response = soft.register(start.publicKeyJson());
    dev.stepgate.Async.join(store.storage().users().setDisabled(alice, true));
    assertRefused("account-disabled", 403, () -> service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.of(alice), RegistrationMode.OPEN));
    assertRefused("account-disabled", 403, () -> service.finishRegistration(start.ceremonyId(), response, Optional.empty(), Optional.of(alice)));
    assertEquals(1, store.listCredentials(alice).size());
  }

  @Test
  void register_disabledUsername_byStranger_isStillNotYourAccount() throws Exception {
    registerSoft("alice");
    dev.stepgate.Async.join(store.storage().users().setDisabled(userId("alice"), true));
    // A stranger learns no more than for any taken username.
    assertRefused("not-your-account", 403, () -> startOpen("alice"));
  }
}

package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Step-up: a fresh, user-verified assertion by the signed-in user's own passkey. */
class StepUpTest extends PasskeyServiceTestBase {
  String aliceCred;
  String bobCred;
  String alice;
  String bob;

  @BeforeEach
  void registerTwo() throws Exception {
    // Preferred UV in the settings: step-up must still demand it.
    service = service(settings(false, false, Set.of()));
    aliceCred = registerSoft("alice");
    bobCred = registerSoft("bob");
    alice = userId("alice");
    bob = userId("bob");
  }

  @Test
  void stepUp_ownPasskeyWithUv_succeeds() throws Exception {
    var start = service.startStepUp(alice);
    var opts = json(start.publicKeyJson());
    assertEquals("required", opts.get("userVerification").asString());
    assertEquals(aliceCred, opts.get("allowCredentials").get(0).get("id").asString());
    var auth = service.finishStepUp(start.ceremonyId(), soft.assertWith(aliceCred, start.publicKeyJson()), alice);
    assertTrue(auth.userVerified());
    assertEquals(alice, auth.user().id());
  }

  @Test
  void stepUp_withoutUv_isRefusedEvenWhenSettingsPreferIt() throws Exception {
    soft.flags = SoftAuthenticator.UP;
    var start = service.startStepUp(alice);
    var response = soft.assertWith(aliceCred, start.publicKeyJson());
    assertRefused("user-verification-required", 401, () -> service.finishStepUp(start.ceremonyId(), response, alice));
  }

  @Test
  void stepUp_anotherUsersPasskey_isRefused() throws Exception {
    var start = service.startStepUp(alice);
    var response = soft.assertWith(bobCred, start.publicKeyJson());
    assertRefused("unknown-credential", 401, () -> service.finishStepUp(start.ceremonyId(), response, alice));
  }

  @Test
  void stepUp_ceremonyStartedForAnotherUser_isRefused() throws Exception {
    var start = service.startStepUp(alice);
    var response = soft.assertWith(bobCred, start.publicKeyJson());
    assertRefused("ceremony-invalid", 400, () -> service.finishStepUp(start.ceremonyId(), response, bob));
  }

  @Test
  void stepUp_loginCeremony_isRefused() throws Exception {
    var start = service.startLogin(Optional.empty());
    var response = soft.assertWith(aliceCred, start.publicKeyJson());
    assertRefused("ceremony-invalid", 400, () -> service.finishStepUp(start.ceremonyId(), response, alice));
  }

  @Test
  void stepUp_ceremonyUsedForLogin_isRefused() throws Exception {
    var start = service.startStepUp(alice);
    var response = soft.assertWith(aliceCred, start.publicKeyJson());
    assertRefused("ceremony-invalid", 400, () -> service.finishLogin(start.ceremonyId(), response));
  }

  @Test
  void stepUp_userWithoutPasskeys_isRefused() {
    assertTrue(store.revokeCredential(alice, java.util.Base64.getUrlDecoder().decode(aliceCred)));
    assertRefused("no-passkey", 403, () -> service.startStepUp(alice));
  }

  @Test
  void stepUp_withEmulatedBrowser_succeeds() {
    var browser = new EmulatedBrowser(ORIGIN);
    var reg = service.startRegistration("carol", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
    var carol = service.finishRegistration(reg.ceremonyId(), browser.create(reg.publicKeyJson()), Optional.empty(), Optional.empty()).user();
    var start = service.startStepUp(carol.id());
    assertTrue(service.finishStepUp(start.ceremonyId(), browser.get(start.publicKeyJson()), carol.id()).userVerified());
  }

  @Test
  void stepUp_disabledUser_isRefused() throws Exception {
    var start = service.startStepUp(alice);
    var response = soft.assertWith(aliceCred, start.publicKeyJson());
    dev.stepgate.Async.join(store.storage().users().setDisabled(alice, true));
    assertRefused("account-disabled", 403, () -> service.startStepUp(alice));
    assertRefused("account-disabled", 403, () -> service.finishStepUp(start.ceremonyId(), response, alice));
  }
}

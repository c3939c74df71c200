package dev.stepgate.passkey;

import static dev.stepgate.Async.join;

import java.util.Optional;

/** For tests: a {@link PasskeyService} whose answers are waited for; failures rethrown as raised. */
final class BlockingPasskeys {
  final PasskeyService service;

  BlockingPasskeys(PasskeyService service) {
    this.service = service;
  }

  CeremonyStart startRegistration(String username, Optional<String> displayName, Optional<String> invite,
      Optional<String> signedIn, RegistrationMode mode) {
    return join(service.startRegistration(username, displayName, invite, signedIn, mode));
  }

  Registered finishRegistration(String ceremonyId, String json, Optional<String> label, Optional<String> signedIn) {
    return join(service.finishRegistration(ceremonyId, json, label, signedIn));
  }

  CeremonyStart startLogin(Optional<String> username) {
    return join(service.startLogin(username));
  }

  Authenticated finishLogin(String ceremonyId, String json) {
    return join(service.finishLogin(ceremonyId, json));
  }

  CeremonyStart startStepUp(String userId) {
    return join(service.startStepUp(userId));
  }

  Authenticated finishStepUp(String ceremonyId, String json, String userId) {
    return join(service.finishStepUp(ceremonyId, json, userId));
  }
}

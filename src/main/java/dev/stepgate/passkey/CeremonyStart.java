package dev.stepgate.passkey;

/**
 * What the browser needs to start a ceremony.
 *
 * @param ceremonyId single-use handle to send back with the response
 * @param publicKeyJson {@code PublicKeyCredentialCreationOptionsJSON} or {@code
 *     PublicKeyCredentialRequestOptionsJSON} (WebAuthn L3 §5.4, §5.5), ready for {@code
 *     parseCreationOptionsFromJSON} / {@code parseRequestOptionsFromJSON}
 */
public record CeremonyStart(String ceremonyId, String publicKeyJson) {
  public CeremonyStart {
    if (ceremonyId == null || ceremonyId.isEmpty()) throw new IllegalArgumentException("ceremonyId must not be empty");
    if (publicKeyJson == null || publicKeyJson.isEmpty()) throw new IllegalArgumentException("publicKeyJson must not be empty");
  }
}

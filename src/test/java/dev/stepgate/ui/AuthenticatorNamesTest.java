package dev.stepgate.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuthenticatorNamesTest {
  static final AuthenticatorNames NAMES = AuthenticatorNames.bundled();

  static Optional<String> name(String aaguid) {
    return NAMES.of(UUID.fromString(aaguid));
  }

  @Test
  void bundled_namesTheWellKnownProviders() {
    assertEquals(Optional.of("Google Password Manager"), name("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"));
    assertEquals(Optional.of("Apple Passwords"), name("fbfc3007-154e-4ecc-8c0b-6e020557d7bd"));
    assertEquals(Optional.of("Windows Hello"), name("08987058-cadc-4b81-b6e1-30de50dcbe96"));
    assertEquals(Optional.of("Windows Hello"), name("9ddd1817-af5a-4672-a2b9-3e3dd95000a9"));
    assertEquals(Optional.of("Windows Hello"), name("6028b017-b1d4-4c02-b4b3-afcdafc96bb2"));
    assertEquals(Optional.of("1Password"), name("bada5566-a7aa-401f-bd96-45619a55120d"));
    assertEquals(Optional.of("Bitwarden"), name("d548826e-79b4-db40-a3d8-11116f7e8349"));
    assertEquals(Optional.of("Dashlane"), name("531126d6-e717-415c-9320-3d9aa6981239"));
    assertEquals(Optional.of("Chrome on Mac"), name("adce0002-35bc-c60a-648b-0b25f1f05503"));
    assertEquals(Optional.of("Samsung Pass"), name("53414d53-554e-4700-0000-000000000000"));
    assertEquals(Optional.of("KeePassXC"), name("fdb141b2-5d84-443e-8a35-4698c205a502"));
    assertEquals(Optional.of("Proton Pass"), name("50726f74-6f6e-5061-7373-50726f746f6e"));
    assertEquals(Optional.of("YubiKey 5 Series"), name("cb69481e-8ff7-4039-93ec-0a2729a154a8"));
    assertEquals(Optional.of("YubiKey 5 Series"), name("ee882879-721c-4913-9775-3dfcce97072a"));
    assertTrue(NAMES.size() >= 30, "a few dozen entries");
  }

  @Test
  void of_allZeroOrUnknownAaguid_hasNoName() {
    assertEquals(Optional.empty(), NAMES.of(new UUID(0, 0)));
    assertEquals(Optional.empty(), name("00000000-0000-0000-0000-000000000001"));
    assertEquals(Optional.empty(), NAMES.of(null));
  }
}

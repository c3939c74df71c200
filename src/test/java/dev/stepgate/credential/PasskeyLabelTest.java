package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PasskeyLabelTest {
  @Test
  void check_trimsAndKeepsPlainText() {
    assertEquals("work laptop", PasskeyLabel.check("  work laptop \t"));
    assertEquals("Ren\u00e9e\u2019s phone \uD83D\uDC69\u200D\uD83D\uDCBB", PasskeyLabel.check("Ren\u00e9e\u2019s phone \uD83D\uDC69\u200D\uD83D\uDCBB"));
    assertEquals("a & b \"c\"", PasskeyLabel.check("a & b \"c\""));
  }

  @Test
  void check_sixtyFourCodePoints_isTheLongest() {
    assertEquals(64, PasskeyLabel.check("\uD83D\uDD11".repeat(64)).codePointCount(0, 128));
    assertInvalid("x".repeat(65), "The passkey name must be at most 64 characters.");
  }

  @Test
  void check_emptyOrBlank_isRefused() {
    assertInvalid("", "The passkey name must not be empty.");
    assertInvalid("   ", "The passkey name must not be empty.");
    assertInvalid(null, "The passkey name must not be empty.");
  }

  @Test
  void check_markupOrControlCharacters_areRefused() {
    assertInvalid("<script>", "The passkey name must not contain < or >.");
    assertInvalid("a>b", "The passkey name must not contain < or >.");
    assertInvalid("two\nlines", "The passkey name must not contain control characters.");
    assertInvalid("nul\u0000", "The passkey name must not contain control characters.");
    assertInvalid("evil\u202Egnp.exe", "The passkey name must not contain control characters.");
    assertInvalid("line\u2028sep", "The passkey name must not contain control characters.");
  }

  static void assertInvalid(String raw, String message) {
    var e = assertThrows(CredentialException.class, () -> PasskeyLabel.check(raw));
    assertEquals("label-invalid", e.type());
    assertEquals(400, e.status());
    assertEquals(message, e.getMessage());
  }
}

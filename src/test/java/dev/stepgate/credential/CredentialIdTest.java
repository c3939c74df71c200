package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialIdTest {
  // 0xfb 0xff 0xbf 0x01 encodes with both - and _ (and + and / in standard base64), and pads with ==.
  static final byte[] RAW = {(byte) 0xfb, (byte) 0xff, (byte) 0xbf, 0x01};
  static final String CANONICAL = "-_-_AQ";

  @ParameterizedTest
  @ValueSource(strings = {"-_-_AQ", "-_-_AQ==", "+/+/AQ", "+/+/AQ==", "  -_-_AQ\n"})
  void parse_everyBase64Spelling_isTheSameId(String spelling) {
    var id = CredentialId.parse(spelling);
    assertArrayEquals(RAW, id.bytes());
    assertEquals(CANONICAL, id.base64url());
    assertEquals(CredentialId.of(RAW), id);
    assertEquals(CredentialId.of(RAW).hashCode(), id.hashCode());
  }

  @Test
  void base64url_isUnpaddedUrlAlphabet() {
    assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(RAW), CredentialId.of(RAW).base64url());
    assertEquals(CANONICAL, CredentialId.of(RAW).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-_+/AQ", "-_-_AQ=", "-_-_AQ===", "-_-_A", "-_-_AQ=x", "-_-_ AQ", "a.b", "-_-_AQ%3D", "AR"})
  void parse_anythingElse_isRefusedWithOneMessage(String text) {
    var e = assertThrows(CredentialException.class, () -> CredentialId.parse(text));
    assertEquals("invalid-request", e.type());
    assertEquals(400, e.status());
    assertEquals("The credential id must be base64url or base64 (letters, digits, - and _ or + and /, optional = padding).",
        e.getMessage());
  }

  @Test
  void parse_emptyOrBlank_isRefused() {
    assertEquals("The credential id is empty.", assertThrows(CredentialException.class, () -> CredentialId.parse(" ")).getMessage());
    assertEquals("The credential id is empty.", assertThrows(CredentialException.class, () -> CredentialId.parse(null)).getMessage());
  }

  @Test
  void parse_longerThan1023Bytes_isRefused() {
    var text = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[1024]);
    assertEquals("A credential id is 1 to 1023 bytes.",
        assertThrows(CredentialException.class, () -> CredentialId.parse(text)).getMessage());
    assertEquals(1023, CredentialId.parse(text.substring(0, 1364)).bytes().length);
  }

  @Test
  void bytes_areCopied() {
    var raw = RAW.clone();
    var id = CredentialId.of(raw);
    raw[0] = 0;
    id.bytes()[1] = 0;
    assertArrayEquals(RAW, id.bytes());
  }
}

package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCookieTest {
  static final String ID = "Z6mPy0cg-fF_abcdefghijklmnopqrstuvwxyz01234"; // 43 base64url characters

  @ParameterizedTest
  @ValueSource(strings = {
      "stepgate=" + ID,
      "a=1; stepgate=" + ID,
      "a=1;stepgate=" + ID + ";b=2",
      "  stepgate=" + ID + "  ",
      "stepgate=bad; stepgate=" + ID,
      "stepgatex=" + ID + "; stepgate=" + ID})
  void read_findsTheWellFormedId(String header) {
    assertEquals(Optional.of(ID), new SessionCookie(false).read(header));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", ";", "stepgate=", "stepgate=" + ID + "x", "stepgate=6mPy0cg-fF_abcdefghijklmnopqrstuvwxyz01234", "stepgate=Z6mPy0cg-fF_+bcdefghijklmnopqrstuvwxyz01234",
      "stepgate =" + ID, "xstepgate=" + ID, "stepgatex=" + ID, "__Host-stepgate=" + ID, "other=" + ID})
  void read_refusesAnythingElse(String header) {
    assertEquals(Optional.empty(), new SessionCookie(false).read(header));
  }

  @Test
  void read_onHttps_wantsTheHostPrefixedName() {
    assertEquals(Optional.of(ID), new SessionCookie(true).read("stepgate=x; __Host-stepgate=" + ID));
    assertEquals(Optional.empty(), new SessionCookie(true).read("stepgate=" + ID));
    assertEquals(Optional.empty(), new SessionCookie(true).read(null));
  }
}

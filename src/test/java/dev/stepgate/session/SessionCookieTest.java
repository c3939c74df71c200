package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "a=1; stepgate=" + ID + "; b=2|a=1; b=2",
      "stepgate=" + ID + "|\"\"",
      "stepgate=" + ID + "; a=1|a=1",
      "a=1; stepgate=" + ID + "|a=1",
      "a=1;stepgate=" + ID + ";b=2|a=1; b=2",
      "a=1;\tstepgate=" + ID + " ;  b=2|a=1; b=2",
      "a=1; stepgate=bad; b=\"q\"|a=1; b=\"q\"",
      "stepgate=; a=1|a=1",
      "stepgate =" + ID + "; a=1|a=1",
      "stepgate=" + ID + "; stepgate=" + ID + "|\"\"",
      "x=stepgate=1; stepgate=" + ID + "; y=2|x=stepgate=1; y=2",
      "stepgatex=1; xstepgate=2; Stepgate=3; STEPGATE=4; stepgate=" + ID + "|stepgatex=1; xstepgate=2; Stepgate=3; STEPGATE=4",
      "a=1; ; stepgate=" + ID + ";|a=1"})
  void removeFrom_gatewayCookie_leavesTheOthersInOrder(String header, String kept) {
    assertEquals(kept, new SessionCookie(false).removeFrom(header));
  }

  /** Cookie names are case-sensitive (RFC 6265 §5.4), as {@link SessionCookie#read} treats them. */
  @ParameterizedTest
  @ValueSource(strings = {"", "a=1", "a=1;b=2 ;  c=3", "stepgatex=" + ID, "xstepgate=" + ID, "Stepgate=" + ID,
      "stepgate", "a=stepgate", "a=1; stepgate-x=2", "__Host-stepgate=" + ID, " ; ;"})
  void removeFrom_noGatewayCookie_returnsTheSameHeader(String header) {
    assertSame(header, new SessionCookie(false).removeFrom(header));
  }

  @Test
  void removeFrom_onHttps_removesOnlyTheHostPrefixedName() {
    var https = new SessionCookie(true);
    assertEquals("stepgate=x; b=2", https.removeFrom("__Host-stepgate=" + ID + "; stepgate=x; b=2"));
    var header = "stepgate=" + ID;
    assertSame(header, https.removeFrom(header));
  }
}

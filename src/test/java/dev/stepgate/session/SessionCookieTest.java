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
      "  stepgate=" + ID + " ;a=1 |a=1 ",
      "a=1; stepgate=" + ID + "|a=1",
      "a=1;stepgate=" + ID + ";b=2|a=1;b=2",
      "a=1;\tstepgate=" + ID + " ;  b=2|a=1;\tb=2",
      "a=1; stepgate=bad; b=\"q r\"|a=1; b=\"q r\"",
      "stepgate=; a=1|a=1",
      "stepgate =" + ID + "; a=1|a=1",
      "stepgate=" + ID + "; stepgate=" + ID + "|\"\"",
      "stepgate=" + ID + "; ;|\"\"",
      "a=1; stepgate=x; b=2; stepgate=y|a=1; b=2",
      "a=1; stepgate=x; b=2; stepgate=y; c=3|a=1; b=2; c=3",
      "a=1; stepgate=x;; stepgate=y ;; b=2|a=1; b=2",
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

  /**
   * Property: over random headers of app cookies, gateway cookies and look-alikes with every kind
   * of separator, what is left is exactly the other pairs in order, never a gateway pair (a bare
   * {@code stepgate} is a nameless cookie whose value is that word: the app's); and a header without
   * one comes back as the same String.
   */
  @Test
  void removeFrom_randomHeaders_leaveExactlyTheOtherPairs() {
    var pairs = new String[] {"a=1", "b=\"x y\"", "stepgate=" + ID, "stepgate=", "stepgate =z", "Stepgate=3",
        "stepgatex=4", "xstepgate=5", "c=stepgate=6", "stepgate", ""};
    var separators = new String[] {";", "; ", " ;", ";;", ";\t", " ; "};
    var cookie = new SessionCookie(false);
    var random = new java.util.Random(6265);
    for (int i = 0; i < 20_000; i++) {
      var header = new StringBuilder(random.nextBoolean() ? "" : " ");
      for (int k = random.nextInt(6); k >= 0; k--) {
        header.append(pairs[random.nextInt(pairs.length)]);
        if (k > 0 || random.nextInt(4) == 0) header.append(separators[random.nextInt(separators.length)]);
      }
      var sent = header.toString();
      var left = cookie.removeFrom(sent);
      var expected = pairsOf(sent).stream().filter(p -> !p.matches("(?s)stepgate[ \\t]*=.*")).toList();
      assertEquals(expected, pairsOf(left), () -> "[" + sent + "] left [" + left + "]");
      if (expected.equals(pairsOf(sent))) assertSame(sent, left, sent);
      assertEquals(Optional.empty(), cookie.read(left), left);
    }
  }

  /** The non-empty cookie-pairs of a header, trimmed, in order. */
  private static java.util.List<String> pairsOf(String header) {
    return java.util.Arrays.stream(header.split(";")).map(String::strip).filter(p -> !p.isEmpty()).toList();
  }
}

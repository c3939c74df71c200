package dev.stepgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderTextTest {
  /** Inputs chosen to collide if the encoding were naive. */
  static final List<String> TRICKY = List.of(
      "a b", "a%20b", "a+b", "a", "A", "%41", "UTF-8''A", "UTF-8''%41", "UTF-8''x", "utf-8''x", "Utf-8''X",
      "uTf-8''x", "UTF-8'", "UTF-8'en'x", "UTF-8''", "王伟", "李娜", "??", "?", "é", "Ã©", "e\u0301",
      "😀", "'", "''", "*", "%", "%%", "%2", "~", " a", "a ", "a\u00a0b", "alice@example.com", "UTF-8''王伟");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "alice|alice",
      "alice@example.com|alice@example.com",
      "%41|%41",
      "UTF-8'en'x|UTF-8'en'x",
      "王伟|UTF-8''%E7%8E%8B%E4%BC%9F",
      "李娜|UTF-8''%E6%9D%8E%E5%A8%9C",
      "a b|UTF-8''a%20b",
      "UTF-8''x|UTF-8''UTF-8%27%27x",
      "utf-8''x|UTF-8''utf-8%27%27x",
      "é|UTF-8''%C3%A9",
      "😀|UTF-8''%F0%9F%98%80",
      "a+b~c!d #%|UTF-8''a+b~c!d%20#%25"})
  void encode_examples(String text, String value) {
    assertEquals(value, HeaderText.encode(text));
  }

  @Test
  void encode_trickyInputs_neverMeet() {
    var seen = new HashMap<String, String>();
    for (var text : TRICKY) {
      var value = HeaderText.encode(text);
      var before = seen.put(value, text);
      assertEquals(null, before, () -> "'" + text + "' and '" + seen.get(value) + "' both give " + value);
    }
  }

  /**
   * Property: {@code decode} undoes {@code encode} for every text, so encode is injective (no two
   * usernames share a header value), and every value is printable ASCII, so no HTTP stack can
   * trim, fold or replace any part of it. Exhaustive over short texts of a hostile alphabet, then
   * random longer ones.
   */
  @Test
  void encode_isInjectiveAndPrintableAscii_property() {
    var alphabet = new String[] {"a", "A", "U", "T", "F", "u", "t", "f", "-", "8", "'", "%", "4", "1", "2", "0",
        " ", "+", "~", "*", "王", "伟", "é", "e\u0301", "😀", "\u00a0", "\u200b"};
    var texts = new ArrayList<String>();
    texts.add("");
    for (var a : alphabet) {
      texts.add(a);
      for (var b : alphabet) {
        texts.add(a + b);
        for (var c : alphabet) texts.add(a + b + c);
      }
    }
    var random = new Random(8187);
    for (int i = 0; i < 50_000; i++) {
      var s = new StringBuilder();
      if (random.nextInt(4) == 0) s.append(random.nextBoolean() ? "UTF-8''" : "utf-8''");
      for (int n = random.nextInt(12); n > 0; n--) s.append(alphabet[random.nextInt(alphabet.length)]);
      texts.add(s.toString());
    }
    texts.addAll(TRICKY);
    var seen = new HashMap<String, String>();
    for (var text : texts) {
      var value = HeaderText.encode(text);
      assertEquals(text, HeaderText.decode(value), () -> "round trip of '" + text + "' via " + value);
      var other = seen.putIfAbsent(value, text);
      assertTrue(other == null || other.equals(text), () -> "'" + text + "' and '" + other + "' both give " + value);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        assertTrue(c >= 0x21 && c <= 0x7e, () -> "'" + text + "' gives " + value);
      }
      assertTrue(HeaderText.raw(text) == value.equals(text), () -> "'" + text + "' raw but changed, or encoded but equal");
      assertTrue(HeaderText.raw(text) != value.startsWith(HeaderText.ENCODED_PREFIX),
          () -> "'" + text + "': raw values never start with UTF-8'', encoded ones always do: " + value);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\ud800", "a\udc00", "\udc00\ud800", "王\ud83d"})
  void encode_unpairedSurrogate_isRefused(String text) {
    var e = assertThrows(IllegalArgumentException.class, () -> HeaderText.encode(text));
    assertEquals("text is not well-formed UTF-16 (an unpaired surrogate)", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "UTF-8''%E7%8E%8B%E4%BC%9F|王伟",
      "utf-8''%e7%8e%8b%e4%bc%9f|王伟",
      "UTF-8''a+b|a+b",
      "alice|alice",
      "%41|%41"})
  void decode_examples(String value, String text) {
    assertEquals(text, HeaderText.decode(value));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "UTF-8''%E7%8E|encoded value is not UTF-8",
      "UTF-8''%C0%AF|encoded value is not UTF-8",
      "UTF-8''%4|encoded value has a malformed % escape",
      "UTF-8''%G1|encoded value has a malformed % escape",
      "UTF-8''%٣٣|encoded value has a malformed % escape",
      "UTF-8''a b|encoded value holds a character that must be %-escaped",
      "UTF-8''王|encoded value holds a character that must be %-escaped"})
  void decode_malformed_isRefused(String value, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> HeaderText.decode(value)).getMessage());
  }
}

package dev.stepgate.identity;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text (a username, display name or email) as the value of an identity header, in bytes every
 * app decodes the same way.
 *
 * <p>A value goes out <b>raw</b> when every character is printable ASCII ({@code 0x21}–{@code
 * 0x7E}) and it does not start with {@code UTF-8''} in any letter case; otherwise as an RFC 8187
 * §3.2.1 {@code ext-value}: {@code UTF-8''} followed by the text's UTF-8 bytes, each byte that is
 * not an {@code attr-char} written {@code %XX} (upper-case hex). So {@code alice} stays {@code
 * alice} and {@code 王伟} becomes {@code UTF-8''%E7%8E%8B%E4%BC%9F}.
 *
 * <p>No two texts give the same value: a raw value never starts with {@code UTF-8''} and an
 * encoded one always does, raw values are the text itself, and percent-encoding of UTF-8 is
 * injective (each byte becomes either one {@code attr-char}, never {@code %}, or {@code %} and two
 * digits). An app decodes with {@link #decode}: strip {@code UTF-8''} and percent-decode as UTF-8
 * (not as a form: {@code +} stays {@code +}), or take the value as it is.
 */
public final class HeaderText {
  /** The prefix of every encoded value: the charset, and an empty language (RFC 8187 §3.2.1). */
  public static final String ENCODED_PREFIX = "UTF-8''";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private HeaderText() {}

  /**
   * The header value for {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} is null or not well-formed UTF-16 (an
   *     unpaired surrogate has no UTF-8 form; replacing it would let two texts meet)
   */
  public static String encode(String text) {
    if (text == null) throw new IllegalArgumentException("text must not be null");
    if (raw(text)) return text;
    var bytes = utf8(text);
    var out = new StringBuilder(ENCODED_PREFIX.length() + bytes.length * 3).append(ENCODED_PREFIX);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (attrChar(c)) out.append((char) c);
      else out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
    }
    return out.toString();
  }

  /**
   * The text a header value made by {@link #encode} stands for: the value itself unless it starts
   * with {@code UTF-8''} (any letter case), else its percent-decoded UTF-8.
   *
   * @throws IllegalArgumentException if an encoded value has a malformed {@code %} escape or is not
   *     UTF-8
   */
  public static String decode(String value) {
    if (value == null) throw new IllegalArgumentException("value must not be null");
    if (!encodedPrefix(value)) return value;
    var bytes = new ByteArrayOutputStream(value.length());
    for (int i = ENCODED_PREFIX.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '%') {
        if (!attrChar(c)) throw new IllegalArgumentException("encoded value holds a character that must be %-escaped");
        bytes.write(c);
        continue;
      }
      int hi = i + 2 < value.length() ? hex(value.charAt(i + 1)) : -1;
      int lo = hi < 0 ? -1 : hex(value.charAt(i + 2));
      if (lo < 0) throw new IllegalArgumentException("encoded value has a malformed % escape");
      bytes.write(hi << 4 | lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("encoded value is not UTF-8");
    }
  }

  /** True when {@code text} goes out as it is. */
  static boolean raw(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c > 0x7e) return false;
    }
    return !encodedPrefix(text);
  }

  private static boolean encodedPrefix(String s) {
    return s.regionMatches(true, 0, ENCODED_PREFIX, 0, ENCODED_PREFIX.length());
  }

  /** RFC 8187 §3.2.1 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~". */
  private static boolean attrChar(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  private static byte[] utf8(String text) {
    try {
      var buf = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
      var bytes = new byte[buf.remaining()];
      buf.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("text is not well-formed UTF-16 (an unpaired surrogate)");
    }
  }
}

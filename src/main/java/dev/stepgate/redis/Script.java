package dev.stepgate.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script, run atomically by Redis ({@code EVALSHA}, falling back to {@code EVAL} once
 * after a restart emptied the script cache). Scripts take the time from the caller ({@code now},
 * epoch milliseconds) so that they stay deterministic and the node's clock decides, as in the
 * memory backends.
 */
record Script(String name, String text, String sha) {
  static Script of(String name, String text) {
    try {
      var sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
      return new Script(name, text, sha);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }
}

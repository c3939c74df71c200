package dev.stepgate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConstantTimeTest {
  @Test
  void sameTextOnly() {
    assertTrue(ConstantTime.equals("abc", new String("abc")));
    assertTrue(ConstantTime.equals(null, null));
    assertFalse(ConstantTime.equals("abc", "abd"));
    assertFalse(ConstantTime.equals("abc", "xbc"));
    assertFalse(ConstantTime.equals("abc", "abcd"));
    assertFalse(ConstantTime.equals("abc", null));
    assertFalse(ConstantTime.equals(null, "abc"));
    assertFalse(ConstantTime.equals("é", "\u00e8"));
  }
}

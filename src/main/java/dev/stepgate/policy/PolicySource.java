package dev.stepgate.policy;

import java.util.Objects;

/**
 * The text of one policy file and the name it is reported under in problems ({@code
 * name:line:col: message}). Reading the file is the caller's business; the policy package does no
 * I/O.
 */
public record PolicySource(String name, String text) {
  public PolicySource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    if (name.isBlank()) throw new IllegalArgumentException("name must not be blank");
  }
}

package dev.stepgate.policy;

import java.util.Objects;

/** A place in a policy file; line and column are 1-based. Renders as {@code file:line:col}. */
public record Location(String file, int line, int column) {
  public Location {
    Objects.requireNonNull(file, "file");
    if (line < 1) throw new IllegalArgumentException("line must be at least 1");
    if (column < 1) throw new IllegalArgumentException("column must be at least 1");
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}

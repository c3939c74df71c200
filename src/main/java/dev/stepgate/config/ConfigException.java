package dev.stepgate.config;

import dev.stepgate.StepgateException;
import java.util.List;

/** A config file that cannot be used; {@link #problems()} lists every problem found. */
public final class ConfigException extends StepgateException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("invalid-config", 500, String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code file:line:col: key: message}. */
  public List<String> problems() {
    return problems;
  }
}

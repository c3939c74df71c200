package dev.stepgate.policy;

import dev.stepgate.StepgateException;
import java.util.List;

/**
 * Policy files that cannot be used. {@link #problems()} lists every problem found, each as {@code
 * file:line:col: message}; the exception message is those lines joined by newlines.
 */
public final class PolicyException extends StepgateException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  /** @param problems at least one problem, each as {@code file:line:col: message} */
  public PolicyException(List<String> problems) {
    super("invalid-policy", 500, String.join("\n", problems));
    if (problems.isEmpty()) throw new IllegalArgumentException("problems must not be empty");
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code file:line:col: message}, in file order. */
  public List<String> problems() {
    return problems;
  }
}

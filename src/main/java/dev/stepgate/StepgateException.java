package dev.stepgate;

/**
 * The one unchecked root of every error stepgate raises on purpose. Each feature has its own
 * subclass; a user-caused error carries a stable problem {@code type} (RFC 9457) and a plain
 * message that is safe to show. The message never carries a secret, a credential or an assertion.
 */
public class StepgateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String type;
  private final int status;

  /**
   * @param type stable problem type suffix, e.g. {@code "invalid-request"}; the full URI is
   *     {@code urn:stepgate:problem:<type>}
   * @param status the HTTP status this error maps to when it reaches a client
   * @param message one plain sentence, safe to show to a user
   */
  public StepgateException(String type, int status, String message) {
    super(message);
    this.type = type;
    this.status = status;
  }

  public StepgateException(String type, int status, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
    this.status = status;
  }

  /** Stable problem type suffix, e.g. {@code "challenge-expired"}. */
  public String type() {
    return type;
  }

  /** The HTTP status this error maps to. */
  public int status() {
    return status;
  }
}

package dev.stepgate.passkey;

import dev.stepgate.StepgateException;

/**
 * A passkey ceremony was refused. {@link #type()} is stable (RFC 9457 problem type suffix);
 * malformed input is 400, a failed verification 401, a refused account action 403, a conflict
 * 409. The message is plain and never carries challenge, assertion or key material.
 */
public final class PasskeyException extends StepgateException {
  private static final long serialVersionUID = 1L;

  public PasskeyException(String type, int status, String message) {
    super(type, status, message);
  }

  public PasskeyException(String type, int status, String message, Throwable cause) {
    super(type, status, message, cause);
  }

  static PasskeyException invalidRequest(String message) {
    return new PasskeyException("invalid-request", 400, message);
  }

  static PasskeyException ceremonyInvalid() {
    return new PasskeyException("ceremony-invalid", 400, "The sign-in attempt expired or was already used. Please try again.");
  }

  static PasskeyException verification(String type, String message) {
    return new PasskeyException(type, 401, message);
  }

  static PasskeyException forbidden(String type, String message) {
    return new PasskeyException(type, 403, message);
  }
}

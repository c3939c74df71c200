package dev.stepgate.identity;

import dev.stepgate.StepgateException;

/**
 * A failure of the identity feature: an unusable signing key, an assertion that cannot be signed,
 * or an identity that cannot be put into upstream headers. Messages name the key id where one is
 * involved and never carry key material or an assertion.
 */
public final class IdentityException extends StepgateException {
  private static final long serialVersionUID = 1L;

  /** Problem type of a signing key that exists but cannot be used; fail closed, do not replace. */
  public static final String KEY_UNUSABLE = "signing-key-unusable";

  /** Problem type of a configuration value this package refuses (e.g. an unknown header family). */
  public static final String INVALID_SETTING = "invalid-identity-setting";

  /** Problem type of an identity that cannot be forwarded safely (e.g. a control character). */
  public static final String UNFORWARDABLE = "identity-unforwardable";

  IdentityException(String type, String message) {
    super(type, 500, message);
  }

  IdentityException(String type, String message, Throwable cause) {
    super(type, 500, message, cause);
  }
}

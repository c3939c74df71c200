package dev.stepgate.credential;

import dev.stepgate.StepgateException;

/**
 * A storage rule refused an operation (a duplicate credential id, a taken username, a used
 * invite) or the store itself failed. The message is safe to show; it never names a secret.
 */
public final class CredentialException extends StepgateException {
  private static final long serialVersionUID = 1L;

  public CredentialException(String type, int status, String message) {
    super(type, status, message);
  }

  public CredentialException(String type, int status, String message, Throwable cause) {
    super(type, status, message, cause);
  }

  public static CredentialException credentialExists() {
    return new CredentialException("credential-exists", 409, "This passkey is already registered.");
  }

  public static CredentialException usernameTaken() {
    return new CredentialException("username-taken", 409, "This username is already taken.");
  }

  public static CredentialException inviteInvalid() {
    return new CredentialException("invite-invalid", 403, "The invitation is not valid or has been used.");
  }

  /** A user id that names nobody. */
  public static CredentialException unknownUser() {
    return new CredentialException("unknown-user", 404, "No such user.");
  }

  /** {@code reason}: why the name is not a group name ({@link dev.stepgate.GroupNames#problem}). */
  public static CredentialException groupInvalid(String reason) {
    return new CredentialException("group-invalid", 400, "Invalid group name: " + reason + ".");
  }

  public static CredentialException tooManyGroups() {
    return new CredentialException("too-many-groups", 409,
        "A user belongs to at most " + dev.stepgate.GroupNames.MAX_PER_USER + " groups.");
  }

  public static CredentialException unavailable(Throwable cause) {
    return new CredentialException("storage-unavailable", 503, "The credential store is unavailable.", cause);
  }
}

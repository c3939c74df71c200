package dev.stepgate.credential;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Registered passkeys. One implementation per {@code storage.driver}; every write is one atomic
 * operation named for what it does. Stages fail with a {@link CredentialException}.
 */
public interface PasskeyStore {

  /**
   * Applies a finished registration in one transaction: creates {@code newUser} if present,
   * consumes the invite if present (it must be unexpired at {@code now}, unused, and for that
   * user's username), adds the credential. Nothing is written if any step fails: the stage fails
   * with {@code username-taken}, {@code invite-invalid} or {@code credential-exists}.
   */
  CompletionStage<Void> enroll(Enrollment enrollment, Instant now);

  /**
   * Adds a credential to an existing user, refusing a credential id that exists for any user
   * (WebAuthn L3 §7.1 step 26: never re-bind a credential to another account): {@code
   * credential-exists} (409), {@code unknown-user} (404).
   */
  CompletionStage<Void> add(StoredCredential credential);

  /** The credential with this id. */
  CompletionStage<Optional<StoredCredential>> find(byte[] credentialId);

  /** The user's credentials, oldest first. */
  CompletionStage<List<StoredCredential>> ofUser(String userId);

  /**
   * Records a successful assertion (WebAuthn L3 §7.2 steps 21-23) if, at the moment of writing,
   * the stored counter is still below {@code signCount} (or both are zero). This compare-and-set
   * keeps two concurrent logins with one cloned counter from both succeeding.
   *
   * @return false if the stored counter had moved on (the caller treats it as a regression) or
   *     the credential is gone
   */
  CompletionStage<Boolean> recordAssertion(byte[] credentialId, long signCount, boolean backupState,
      boolean userVerified, Instant at);

  /**
   * Deletes one of the user's credentials and, in the same transaction, appends the revocation to
   * the {@link RevocationLog}, so that every running gateway ends the sessions made with it.
   *
   * @return false if the user has no credential with that id (nothing is appended)
   */
  CompletionStage<Boolean> revoke(String userId, byte[] credentialId);

  /**
   * Renames one of the user's credentials. The label is stripped, then must be 1..{@link
   * #MAX_LABEL} characters without control characters, {@code <} or {@code >} (it is shown in
   * pages and terminals); otherwise the stage fails with {@code invalid-label} (400).
   *
   * @return false if the user has no credential with that id
   */
  CompletionStage<Boolean> rename(String userId, byte[] credentialId, String label);

  /** The longest label {@link #rename} accepts, in characters (code points). */
  int MAX_LABEL = 64;

  /**
   * {@code label} stripped, if {@link #rename} accepts it.
   *
   * @throws CredentialException {@code invalid-label} (400) naming what is wrong
   */
  static String checkedLabel(String label) {
    var l = label == null ? "" : label.strip();
    if (l.isEmpty()) throw invalidLabel("must not be empty");
    if (l.codePointCount(0, l.length()) > MAX_LABEL) throw invalidLabel("must be at most " + MAX_LABEL + " characters");
    if (l.codePoints().anyMatch(cp -> !plain(cp) || cp == '<' || cp == '>'))
      throw invalidLabel("must not contain control characters, < or >");
    return l;
  }

  /**
   * Not a control character, nor one that changes how the text around it reads: line and
   * paragraph separators, and format characters (the bidirectional embeddings, overrides and
   * isolates can make one name look like another) except the zero-width joiner emoji need.
   */
  private static boolean plain(int cp) {
    int type = Character.getType(cp);
    if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE) return false;
    return type != Character.FORMAT || cp == 0x200D;
  }

  private static CredentialException invalidLabel(String why) {
    return new CredentialException("invalid-label", 400, "The passkey name " + why + ".");
  }

  /** What {@link #revokeUnlessLast} did. */
  enum Revoked { REVOKED, NOT_FOUND, LAST_PASSKEY }

  /**
   * As {@link #revoke}, for the owner: refuses ({@link Revoked#LAST_PASSKEY}, nothing written) to
   * remove the user's last passkey unless the user has unused recovery codes, checked in the same
   * transaction as the delete, so two concurrent revokes of a user's two passkeys cannot both
   * succeed.
   */
  CompletionStage<Revoked> revokeUnlessLast(String userId, byte[] credentialId);
}

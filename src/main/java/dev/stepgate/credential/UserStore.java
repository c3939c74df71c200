package dev.stepgate.credential;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The people who can sign in. One implementation per {@code storage.driver}. Every method returns
 * at once; the stage fails with a {@link CredentialException} ({@code storage-unavailable}, 503,
 * when the store itself cannot answer), so callers fail closed.
 */
public interface UserStore {

  /**
   * Creates a user. The username must be normalized already ({@link Usernames#normalize}).
   * Fails with {@code username-taken} (409) if it exists.
   */
  CompletionStage<Void> create(User user);

  /** The user with this normalized username. */
  CompletionStage<Optional<User>> byUsername(String username);

  /** The user with this id. */
  CompletionStage<Optional<User>> byId(String userId);

  /** All users, by username. */
  CompletionStage<List<User>> all();

  /**
   * Disables or enables the user. Disabling also appends a user-wide entry to the {@link
   * RevocationLog} in the same transaction, so every running gateway ends all of the user's
   * sessions; enabling appends nothing (sessions that ended stay ended).
   *
   * @return false if there is no such user; true otherwise, also when the flag was already so
   *     (disabling again appends again: harmless, and it ends any session that slipped through)
   */
  CompletionStage<Boolean> setDisabled(String userId, boolean disabled);

  /**
   * The groups of the user with this id (SPEC section 3 {@code allow.groups}), iterated by code
   * point; empty when it has none or there is no such user.
   */
  CompletionStage<Set<String>> groups(String userId);

  /**
   * Adds the user to {@code group}. A change appends a groups entry to the {@link RevocationLog}
   * in the same transaction, so every running gateway drops what it cached of the user's groups
   * (no session ends).
   *
   * @return true if the user was added; false if it was a member already (nothing appended)
   * @throws CredentialException in the stage: {@code group-invalid} (400) for a name outside
   *     {@link dev.stepgate.GroupNames}; {@code unknown-user} (404); {@code too-many-groups} (409)
   *     when the user has {@link dev.stepgate.GroupNames#MAX_PER_USER} groups already
   */
  CompletionStage<Boolean> addGroup(String userId, String group);

  /**
   * Removes the user from {@code group}, appending a groups entry as {@link #addGroup} does.
   *
   * @return true if the user was removed; false if it was not a member (nothing appended)
   * @throws CredentialException in the stage: {@code group-invalid} (400), {@code unknown-user} (404)
   */
  CompletionStage<Boolean> removeGroup(String userId, String group);
}

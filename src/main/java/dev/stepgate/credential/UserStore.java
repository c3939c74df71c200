package dev.stepgate.credential;

import java.util.List;
import java.util.Optional;
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
}

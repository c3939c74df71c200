package dev.stepgate.admission;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import dev.stepgate.session.SessionSummary;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SessionStore} that, once a session is made (a sign-in), asks the {@link GroupSource}
 * to {@link GroupSource#preload} its user's groups: the session's first request can then be
 * decided at once ({@link CallerStep#callerNow}) instead of waiting for the read. Everything else
 * passes straight on.
 */
public final class GroupPreloadingSessions implements SessionStore {
  private final SessionStore store;
  private final GroupSource groups;

  public GroupPreloadingSessions(SessionStore store, GroupSource groups) {
    this.store = store;
    this.groups = groups;
  }

  @Override
  public CompletionStage<Void> create(Session session) {
    return store.create(session).whenComplete((done, err) -> {
      if (err == null) groups.preload(session);
    });
  }

  @Override
  public CompletionStage<Optional<Session>> find(String id) {
    return store.find(id);
  }

  @Override
  public Optional<Session> findNow(String id) {
    return store.findNow(id);
  }

  @Override
  public CompletionStage<Optional<Session>> rotateAndRecordStepUp(String oldId, String newId, Session.StepUpRecord stepUp) {
    return store.rotateAndRecordStepUp(oldId, newId, stepUp);
  }

  @Override
  public CompletionStage<Optional<Session>> consumeStepUp(String id, String forRule, Instant notBefore) {
    return store.consumeStepUp(id, forRule, notBefore);
  }

  @Override
  public CompletionStage<Void> end(String id) {
    return store.end(id);
  }

  @Override
  public CompletionStage<List<SessionSummary>> ofUser(String userId) {
    return store.ofUser(userId);
  }

  @Override
  public CompletionStage<Boolean> endByHandle(String userId, String handle) {
    return store.endByHandle(userId, handle);
  }

  @Override
  public CompletionStage<Void> endOthersOf(String userId, String keepId) {
    return store.endOthersOf(userId, keepId);
  }

  @Override
  public CompletionStage<Void> endSessionsOf(String userId) {
    return store.endSessionsOf(userId);
  }

  @Override
  public CompletionStage<Void> endSessionsOfCredential(String userId, CredentialId credentialId) {
    return store.endSessionsOfCredential(userId, credentialId);
  }

  @Override
  public CompletionStage<Void> honour(Revocation revocation) {
    return store.honour(revocation);
  }

  @Override
  public OptionalLong activeNow() {
    return store.activeNow();
  }
}

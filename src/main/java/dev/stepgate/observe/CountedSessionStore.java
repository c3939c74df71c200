package dev.stepgate.observe;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SessionStore} whose failed calls are counted in {@code
 * stepgate_store_errors_total{dependency="sessions"}}: every request the session store could not
 * serve (a Redis outage answers each with 503), not only the probe's one per interval. A failure
 * counts when the store says it is unavailable (a {@link StepgateException} with a 5xx status);
 * results and failures pass through unchanged. {@link #findNow} (the relay's hot path) cannot fail
 * and is passed straight on.
 */
public final class CountedSessionStore implements SessionStore {
  private final SessionStore store;
  private final StoreErrors errors;

  public CountedSessionStore(SessionStore store, StoreErrors errors) {
    this.store = store;
    this.errors = errors;
  }

  private <T> CompletionStage<T> counted(CompletionStage<T> stage) {
    return stage.whenComplete((v, err) -> {
      if (err != null && Async.cause(err) instanceof StepgateException s && s.status() >= 500)
        errors.failed(StoreErrors.Dependency.SESSIONS);
    });
  }

  @Override
  public CompletionStage<Void> create(Session session) {
    return counted(store.create(session));
  }

  @Override
  public CompletionStage<Optional<Session>> find(String id) {
    return counted(store.find(id));
  }

  @Override
  public Optional<Session> findNow(String id) {
    return store.findNow(id);
  }

  @Override
  public CompletionStage<Optional<Session>> rotateAndRecordStepUp(String oldId, String newId, Session.StepUpRecord stepUp) {
    return counted(store.rotateAndRecordStepUp(oldId, newId, stepUp));
  }

  @Override
  public CompletionStage<Optional<Session>> consumeStepUp(String id, String forRule, Instant notBefore) {
    return counted(store.consumeStepUp(id, forRule, notBefore));
  }

  @Override
  public CompletionStage<Void> end(String id) {
    return counted(store.end(id));
  }

  @Override
  public CompletionStage<java.util.List<dev.stepgate.session.SessionSummary>> ofUser(String userId) {
    return counted(store.ofUser(userId));
  }

  @Override
  public CompletionStage<Boolean> endByHandle(String userId, String handle) {
    return counted(store.endByHandle(userId, handle));
  }

  @Override
  public CompletionStage<Void> endOthersOf(String userId, String keepId) {
    return counted(store.endOthersOf(userId, keepId));
  }

  @Override
  public CompletionStage<Void> endSessionsOf(String userId) {
    return counted(store.endSessionsOf(userId));
  }

  @Override
  public CompletionStage<Void> endSessionsOfCredential(String userId, CredentialId credentialId) {
    return counted(store.endSessionsOfCredential(userId, credentialId));
  }

  @Override
  public CompletionStage<Void> honour(Revocation revocation) {
    return counted(store.honour(revocation));
  }

  @Override
  public OptionalLong activeNow() {
    return store.activeNow();
  }
}

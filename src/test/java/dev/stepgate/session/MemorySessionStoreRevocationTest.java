package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.LocalRevocationBus;
import dev.stepgate.revocation.Revocation;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemorySessionStoreRevocationTest {
  static final Instant T = Instant.now();
  static final CredentialId KEY = CredentialId.parse("-_-_AQ");
  static final CredentialId OTHER = CredentialId.parse("AQID");

  final MemorySessionStore store = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12));
  final LocalRevocationBus bus = new LocalRevocationBus();

  Session session(String user, CredentialId signedInWith, Optional<CredentialId> steppedUpWith) {
    var s = new Session(SessionIds.next(), user, user, T, signedInWith.base64url(), false, true,
        steppedUpWith.map(c -> new Session.StepUpRecord(T, c.base64url(), false, T, false, Optional.empty())), T);
    store.create(s);
    return s;
  }

  @Test
  void credentialRevoked_endsSessionsSignedInOrSteppedUpWithIt_only() {
    bus.subscribe(store::honour);
    var signedIn = session("u1", KEY, Optional.empty());
    var steppedUp = session("u1", OTHER, Optional.of(KEY));
    var untouched = session("u1", OTHER, Optional.empty());
    var otherUser = session("u2", KEY, Optional.empty());
    // Spelled as standard base64 with padding by whoever revoked it: the same passkey.
    bus.publish(new Revocation.CredentialRevoked("u1", CredentialId.parse("+/+/AQ==")));
    assertEquals(Optional.empty(), store.findNow(signedIn.id()));
    assertEquals(Optional.empty(), store.findNow(steppedUp.id()));
    assertTrue(store.findNow(untouched.id()).isPresent());
    assertTrue(store.findNow(otherUser.id()).isPresent(), "another user's session with the same id bytes stays");
  }

  @Test
  void userSessionsEnded_endsEverySessionOfThatUser() {
    bus.subscribe(store::honour);
    var a = session("u1", KEY, Optional.empty());
    var b = session("u1", OTHER, Optional.empty());
    var c = session("u2", OTHER, Optional.empty());
    bus.publish(new Revocation.UserSessionsEnded("u1"));
    assertEquals(Optional.empty(), store.findNow(a.id()));
    assertEquals(Optional.empty(), store.findNow(b.id()));
    assertTrue(store.findNow(c.id()).isPresent());
  }

  @Test
  void bus_aThrowingSubscriber_doesNotStopTheOthers() throws Exception {
    bus.subscribe(r -> { throw new IllegalStateException("broken"); });
    var subscription = bus.subscribe(store::honour);
    var a = session("u1", KEY, Optional.empty());
    bus.publish(new Revocation.UserSessionsEnded("u1"));
    assertEquals(Optional.empty(), store.findNow(a.id()));
    subscription.close();
    var b = session("u1", KEY, Optional.empty());
    bus.publish(new Revocation.UserSessionsEnded("u1"));
    assertTrue(store.findNow(b.id()).isPresent(), "unsubscribed");
  }
}

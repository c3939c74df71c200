package dev.stepgate.session;

import java.time.Instant;

/**
 * One live session as its owner's account page lists it ({@link SessionStore#ofUser}). It never
 * carries the session id, a bearer secret: {@code handle} names it instead, and is what {@link
 * SessionStore#endByHandle} takes back.
 *
 * @param handle {@link SessionIds#handle} of the session id: the first 16 bytes of its SHA-256,
 *     base64url (the audit trail's {@code sid} for the same session)
 * @param signedInAt when the passkey sign-in happened
 * @param lastSeenAt when it was last used, to within {@link SessionStore#LAST_SEEN_STEP}
 * @param credentialId the passkey it signed in with, canonical base64url
 */
public record SessionSummary(String handle, Instant signedInAt, Instant lastSeenAt, String credentialId,
    Session.Device device) {

  /** The summary of {@code s}. */
  public static SessionSummary of(Session s) {
    return new SessionSummary(SessionIds.handle(s.id()), s.authTime(), s.lastSeenAt(), s.credentialId(), s.device());
  }
}

package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.config.Cidr;
import dev.stepgate.session.SessionCookie;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HeaderHygiene#clientAddress}: whose address a request is counted under. */
class ClientAddressTest {
  final HeaderHygiene hygiene = new HeaderHygiene(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")), new SessionCookie(false));

  @Test
  void untrustedPeer_isTheClient_whateverItSends() {
    assertEquals("203.0.113.1", hygiene.clientAddress("203.0.113.1", List.of("198.51.100.9")));
  }

  @Test
  void trustedPeer_theRightmostUntrustedForwardedEntryIsTheClient() {
    assertEquals("203.0.113.5", hygiene.clientAddress("10.0.0.2", List.of("203.0.113.5")));
    assertEquals("203.0.113.5", hygiene.clientAddress("10.0.0.2", List.of("198.51.100.1, 203.0.113.5")));
    assertEquals("203.0.113.5", hygiene.clientAddress("10.0.0.2", List.of("198.51.100.1, 203.0.113.5, 10.1.1.1")));
    assertEquals("203.0.113.5", hygiene.clientAddress("10.0.0.2", List.of("198.51.100.1", "203.0.113.5,10.1.1.1")));
    assertEquals("2001:db8:0:0:0:0:0:7", hygiene.clientAddress("::1", List.of("[2001:db8::7]")));
    assertEquals("203.0.113.5", hygiene.clientAddress("10.0.0.2", List.of("203.0.113.5:4711")));
  }

  @Test
  void trustedPeer_garbageEndsTheWalk_atTheLastGoodEntry() {
    assertEquals("10.1.1.1", hygiene.clientAddress("10.0.0.2", List.of("203.0.113.5, unknown, 10.1.1.1")));
    assertEquals("10.0.0.2", hygiene.clientAddress("10.0.0.2", List.of("evil.example.com")));
    assertEquals("10.0.0.2", hygiene.clientAddress("10.0.0.2", List.of("999.1.1.1")));
    assertEquals("10.0.0.2", hygiene.clientAddress("10.0.0.2", List.of()));
  }

  @Test
  void trustedPeer_everyEntryTrusted_theLeftmostIsTheClient() {
    assertEquals("10.9.9.9", hygiene.clientAddress("10.0.0.2", List.of("10.9.9.9, 10.1.1.1")));
  }
}

package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamAddressTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "http://127.0.0.1:3000, 127.0.0.1, 3000, false, '', 127.0.0.1:3000",
      "http://app, app, 80, false, '', app",
      "http://app:80/, app, 80, false, '', app",
      "https://app/base/, app, 443, true, /base, app",
      "https://app:8443/a/b, app, 8443, true, /a/b, app:8443",
      "http://[::1]:3000/x, ::1, 3000, false, /x, '[::1]:3000'",
      "http://[::1], ::1, 80, false, '', '[::1]'"})
  void of_readsWhereAndHowToReachTheUpstream(String url, String host, int port, boolean ssl, String prefix, String authority) {
    assertEquals(new UpstreamAddress(host, port, ssl, prefix, authority), UpstreamAddress.of(URI.create(url)));
  }
}

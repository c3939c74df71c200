package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls:} set: HTTPS with HTTP/2 via ALPN, and the session cookie is Secure with __Host-. */
class TlsTest {
  @TempDir Path dir;

  /** A gateway serving https on {@code port} with {@code cert}, in front of {@code upstream}. */
  Gateway startTls(TestUpstream upstream, SelfSignedCertificate cert, int port, String base) {
    return Gateways.start(upstream.url(), dir.resolve("data"), "listen: 127.0.0.1:" + port + "\npublic_url: " + base
        + "\ntls: { cert_file: " + cert.certificatePath() + ", key_file: " + cert.privateKeyPath() + " }\n");
  }

  @Test
  void tls_servesHttp2_andTheSessionCookieIsSecureWithHostPrefix() throws Exception {
    var cert = SelfSignedCertificate.create("localhost");
    int port = PasskeyUser.freePort();
    var base = "https://localhost:" + port;
    try (var upstream = new TestUpstream(); var gateway = startTls(upstream, cert, port, base)) {
      var params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm(null);
      var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).sslParameters(params);
      var user = new PasskeyUser(base, client);
      var start = user.api("registration/options", new io.vertx.core.json.JsonObject().put("username", "tess"));
      var verify = user.send("POST", "/.stepgate/api/registration/verify", new io.vertx.core.json.JsonObject()
          .put("ceremonyId", start.getString("ceremonyId"))
          .put("credential", new io.vertx.core.json.JsonObject(user.authenticator.create(start.getJsonObject("publicKey").encode())))
          .encode(), "Content-Type", "application/json", "Origin", base);
      assertEquals(200, verify.statusCode(), verify.body());
      var cookie = verify.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.startsWith("__Host-stepgate="), cookie);
      assertTrue(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; Path=/"), cookie);
      var page = user.send("GET", "/hello", null);
      assertEquals(200, page.statusCode());
      assertEquals("tess", upstream.last().headers().get("X-Stepgate-User"));
      assertEquals("https", upstream.last().headers().get("X-Forwarded-Proto"));
      // HTTP/2 is negotiated by ALPN (checked with curl: the JDK client's ALPN is finicky with a custom SSLContext).
      var curl = new ProcessBuilder("curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version}",
          base + "/.stepgate/healthz").redirectErrorStream(true).start();
      assertEquals("2", new String(curl.getInputStream().readAllBytes()).trim());
      assertEquals(0, curl.waitFor());
    }
  }

  @Test
  void tls_http2CookiesSentOnePerHeader_sessionIsReadAndGatewayCookieNeverReachesTheApp() throws Exception {
    var cert = SelfSignedCertificate.create("localhost");
    int port = PasskeyUser.freePort();
    var base = "https://localhost:" + port;
    try (var upstream = new TestUpstream(); var gateway = startTls(upstream, cert, port, base)) {
      var params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm(null);
      var user = new PasskeyUser(base, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(trustAll()).sslParameters(params));
      user.enroll("tess");
      var session = user.cookie();
      assertTrue(session.startsWith("__Host-stepgate="), session);
      // HTTP/2 clients send one cookie per header field (RFC 9113 §8.2.3); curl sends each -H as one.
      var curl = new ProcessBuilder("curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version}",
          "-H", "Cookie: a=1", "-H", "Cookie: " + session, "-H", "Cookie: stepgate=x; b=2", base + "/hello")
          .redirectErrorStream(true).start();
      assertEquals("2", new String(curl.getInputStream().readAllBytes()).trim());
      assertEquals(0, curl.waitFor());
      var got = upstream.last().headers();
      assertEquals(java.util.List.of("a=1; stepgate=x; b=2"), got.getAll("Cookie")); // joined; only __Host-stepgate is ours
      assertEquals("tess", got.get("X-Stepgate-User"));
    }
  }

  private static SSLContext trustAll() throws Exception {
    var ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }
}

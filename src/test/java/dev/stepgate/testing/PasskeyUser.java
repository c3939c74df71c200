package dev.stepgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.stepgate.passkey.EmulatedBrowser;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A person at a browser with a passkey authenticator (webauthn4j-test's emulator), talking to a
 * running gateway through its JSON API: keeps its session cookie, enrolls, steps up, and checks
 * assertions with only the gateway's JWKS.
 */
public final class PasskeyUser {
  public final String base;
  public final HttpClient http;
  public final EmulatedBrowser authenticator;
  /** Sent as {@code User-Agent} on every request when set (the funnel's platform). */
  private final String userAgent;

  public PasskeyUser(String base) {
    this(base, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
  }

  /** With a client of the caller's making (TLS trust, HTTP/2); cookies and redirects set here. */
  public PasskeyUser(String base, HttpClient.Builder client) {
    this.base = base;
    this.http = client.cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.authenticator = new EmulatedBrowser(base);
    this.userAgent = null;
  }

  private PasskeyUser(String base, HttpClient http, EmulatedBrowser authenticator, String userAgent) {
    this.base = base;
    this.http = http;
    this.authenticator = authenticator;
    this.userAgent = userAgent;
  }

  /** The same person (cookies, authenticator) in a browser that says {@code userAgent}. */
  public PasskeyUser withUserAgent(String userAgent) {
    return new PasskeyUser(base, http, authenticator, userAgent);
  }

  /**
   * The same person (cookies, authenticator) talking to another node or the load balancer at
   * {@code otherBase}: the session cookie is for the host, so it goes to every port of it.
   */
  public PasskeyUser at(String otherBase) {
    return new PasskeyUser(otherBase, http, authenticator, userAgent);
  }

  /**
   * The same person (same authenticator) in another browser: no cookies yet, saying {@code
   * userAgent} (null: none).
   */
  public PasskeyUser inAnotherBrowser(String userAgent) {
    var other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    return new PasskeyUser(base, other, authenticator, userAgent);
  }

  /** A usernameless passkey sign-in that must succeed; the session cookie is kept. */
  public void signIn() throws Exception {
    var start = api("login/options", new JsonObject());
    var assertion = authenticator.get(start.getJsonObject("publicKey").encode());
    api("login/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
  }

  /** A free loopback port for a gateway whose public URL must be known before it starts. */
  public static int freePort() throws Exception {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    return send(http, method, path, body, headers);
  }

  public HttpResponse<String> send(HttpClient client, String method, String path, String body, String... headers)
      throws Exception {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    if (userAgent != null) b.setHeader("User-Agent", userAgent);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A same-origin JSON API call that must succeed. */
  public JsonObject api(String path, JsonObject body) throws Exception {
    var r = send("POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json", "Origin", base);
    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
    return new JsonObject(r.body());
  }

  /** Creates an account with a passkey; the session cookie is kept. */
  public void enroll(String username) throws Exception {
    var start = api("registration/options", new JsonObject().put("username", username));
    var credential = authenticator.create(start.getJsonObject("publicKey").encode());
    api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
  }

  /** A user-verified step-up; {@code extra} may name {@code held}, {@code rd} and {@code rule}. */
  public JsonObject stepUp(JsonObject extra) throws Exception {
    var start = api("step-up/options", new JsonObject());
    var assertion = authenticator.get(start.getJsonObject("publicKey").encode());
    return api("step-up/verify", extra.copy().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
  }

  /** The session cookie as {@code name=value}. */
  public String cookie() {
    var c = ((CookieManager) http.cookieHandler().orElseThrow()).getCookieStore().getCookies().get(0);
    return c.getName() + "=" + c.getValue();
  }

  /** Verifies an assertion the way an upstream app would: with only the published JWKS. */
  public JWTClaimsSet verify(String token) throws Exception {
    var jwks = JWKSet.parse(send("GET", "/.stepgate/jwks.json", null).body());
    var processor = new DefaultJWTProcessor<SecurityContext>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(jwks)));
    return processor.process(token, null);
  }
}

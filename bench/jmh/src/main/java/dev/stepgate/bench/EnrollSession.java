package dev.stepgate.bench;

import com.webauthn4j.data.AttestationConveyancePreference;
import com.webauthn4j.data.AuthenticatorSelectionCriteria;
import com.webauthn4j.data.PublicKeyCredentialCreationOptions;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialRpEntity;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.PublicKeyCredentialUserEntity;
import com.webauthn4j.data.ResidentKeyRequirement;
import com.webauthn4j.data.UserVerificationRequirement;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.test.authenticator.webauthn.PackedAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnAuthenticatorAdaptor;
import com.webauthn4j.test.client.ClientPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enrolls a fresh user against a running gateway through its JSON API with an emulated packed
 * authenticator and prints the session cookie ({@code name=value}) on stdout. Used by
 * {@code bench/proxy/run} to benchmark the authenticated (signed-assertion) proxy path.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar:target/stepgate.jar dev.stepgate.bench.EnrollSession
 *     http://localhost:PORT [username]</pre>
 *
 * The argument is the gateway's {@code public_url} (connected to, sent as Origin, and the
 * WebAuthn origin).
 */
public final class EnrollSession {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: EnrollSession PUBLIC_URL [username]");
      System.exit(2);
    }
    var publicUrl = args[0];
    var username = args.length > 1 ? args[1] : "bench-" + System.nanoTime();
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    var adaptor = new WebAuthnAuthenticatorAdaptor(new PackedAuthenticator());

    var start = post(http, publicUrl, "registration/options", "{\"username\":\"" + username + "\"}");
    var startBody = JSON.readTree(start.body());
    var credential = create(adaptor, publicUrl, startBody.get("publicKey"));
    var verify = post(http, publicUrl, "registration/verify",
        "{\"ceremonyId\":\"" + startBody.get("ceremonyId").asString() + "\",\"credential\":" + credential + "}");
    for (var c : verify.headers().allValues("Set-Cookie")) {
      var nv = c.split(";", 2)[0];
      if (!nv.endsWith("=")) {
        System.out.println(nv);
        return;
      }
    }
    System.err.println("no session cookie in registration/verify response: " + verify.headers().map());
    System.exit(1);
  }

  private static HttpResponse<String> post(HttpClient http, String publicUrl, String path, String body)
      throws Exception {
    // Sent to public_url itself (e.g. http://localhost:PORT): java.net.http will not set Host.
    var req = HttpRequest.newBuilder(URI.create(publicUrl + "/.stepgate/api/" + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").header("Origin", publicUrl)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    var r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      System.err.println(path + ": HTTP " + r.statusCode() + ": " + r.body());
      System.exit(1);
    }
    return r;
  }

  private static String create(WebAuthnAuthenticatorAdaptor adaptor, String origin, JsonNode o) {
    var rp = o.get("rp");
    var user = o.get("user");
    var params = new ArrayList<PublicKeyCredentialParameters>();
    for (var p : o.get("pubKeyCredParams"))
      params.add(new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY,
          COSEAlgorithmIdentifier.create(p.get("alg").asLong())));
    var sel = o.get("authenticatorSelection");
    var options = new PublicKeyCredentialCreationOptions(
        new PublicKeyCredentialRpEntity(rp.get("id").asString(), rp.get("name").asString()),
        new PublicKeyCredentialUserEntity(B64D.decode(user.get("id").asString()), user.get("name").asString(),
            user.get("displayName").asString()),
        new DefaultChallenge(B64D.decode(o.get("challenge").asString())), params, o.get("timeout").asLong(),
        List.of(),
        new AuthenticatorSelectionCriteria(null, ResidentKeyRequirement.create(sel.get("residentKey").asString()),
            UserVerificationRequirement.create(sel.get("userVerification").asString())),
        AttestationConveyancePreference.create(o.get("attestation").asString()), null);
    var cred = new ClientPlatform(new Origin(origin), adaptor).create(options);
    var r = cred.getResponse();
    return "{\"id\":\"" + B64.encodeToString(cred.getRawId()) + "\",\"rawId\":\"" + B64.encodeToString(cred.getRawId())
        + "\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(r.getClientDataJSON())
        + "\",\"attestationObject\":\"" + B64.encodeToString(r.getAttestationObject()) + "\",\"transports\":[\"usb\"]},"
        + "\"clientExtensionResults\":{}}";
  }
}

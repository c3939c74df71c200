package dev.stepgate.bench;

import com.webauthn4j.data.AttestationConveyancePreference;
import com.webauthn4j.data.AuthenticatorSelectionCriteria;
import com.webauthn4j.data.PublicKeyCredentialCreationOptions;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialRequestOptions;
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
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.config.AttestationRoots;
import dev.stepgate.passkey.Authenticated;
import dev.stepgate.passkey.Ceremony;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.PasskeyService;
import dev.stepgate.passkey.PasskeySettings;
import dev.stepgate.passkey.RegistrationMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PasskeyService#finishLogin} per second on one thread: parse the AuthenticationResponseJSON,
 * look up the credential, verify origin, rpIdHash, challenge, flags and the ES256 signature,
 * record the assertion. A packed (ES256) authenticator with its counter held at 0 answers one
 * pre-generated login; a ceremony store that hands the same ceremony back every time makes the
 * one response verifiable again and again.
 *
 * <p>Both params use the real EmbeddedStore ({@code synchronous=FULL}): {@code tmpfs} puts it
 * under /dev/shm so the number is the verification cost; {@code disk} adds one real fsync per
 * login. See bench/RESULTS-passkey.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class AssertionVerifyBenchmark {
  private static final String ORIGIN = "https://gate.example.com";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** {@code tmpfs}: the store under /dev/shm (verification cost); {@code disk}: under java.io.tmpdir (with fsync). */
  @Param({"tmpfs", "disk"})
  public String storage;

  private Path dir;
  private Storage store;
  private PasskeyService service;
  private String ceremonyId;
  private String response;

  /** Returns the last ceremony put, on every take: lets one response be verified repeatedly. */
  static final class ReplayingCeremonyStore implements CeremonyStore {
    volatile Ceremony last;

    @Override
    public CompletionStage<Void> put(Ceremony ceremony) {
      last = ceremony;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Optional<Ceremony>> take(String id) {
      return CompletableFuture.completedFuture(Optional.ofNullable(last).filter(c -> c.id().equals(id)));
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    var shm = Path.of("/dev/shm");
    dir = "tmpfs".equals(storage) && Files.isDirectory(shm)
        ? Files.createTempDirectory(shm, "stepgate-bench")
        : Files.createTempDirectory("stepgate-bench");
    store = EmbeddedStore.open(dir).storage();
    var settings = new PasskeySettings("gate.example.com", "Bench", Set.of(ORIGIN), true, false, Set.of(), Duration.ofHours(1),
        AttestationRoots.NONE);
    var ceremonies = new ReplayingCeremonyStore();
    // Verification on the benchmark thread itself: the measured cost is the verification and the
    // store's write, not a hand-off.
    service = new PasskeyService(settings, store.users(), store.passkeys(), store.invites(), store.audit(), ceremonies,
        Clock.systemUTC(), Runnable::run, PasskeyService.newDecoyKey());

    var authenticator = new PackedAuthenticator();
    authenticator.setCountUpEnabled(false);
    var client = new ClientPlatform(new Origin(ORIGIN), new WebAuthnAuthenticatorAdaptor(authenticator));

    var reg = join(service.startRegistration("bench", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN));
    join(service.finishRegistration(reg.ceremonyId(), create(client, reg.publicKeyJson()), Optional.empty(), Optional.empty()));

    var login = join(service.startLogin(Optional.empty()));
    ceremonyId = login.ceremonyId();
    response = get(client, login.publicKeyJson());
    // One real call before measuring: fails the trial at once if anything is misconfigured.
    verify();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    try (var files = Files.walk(dir)) {
      for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    }
  }

  @Benchmark
  public Authenticated verify() {
    return join(service.finishLogin(ceremonyId, response));
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** A registration response from {@code client} for {@code optionsJson}, as a browser posts it (the login benchmark uses it too). */
  static String create(ClientPlatform client, String optionsJson) {
    var o = JSON.readTree(optionsJson);
    var params = new java.util.ArrayList<PublicKeyCredentialParameters>();
    for (var p : o.get("pubKeyCredParams"))
      params.add(new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.create(p.get("alg").asLong())));
    var options = new PublicKeyCredentialCreationOptions(
        new PublicKeyCredentialRpEntity(o.get("rp").get("id").asString(), o.get("rp").get("name").asString()),
        new PublicKeyCredentialUserEntity(B64D.decode(o.get("user").get("id").asString()), o.get("user").get("name").asString(),
            o.get("user").get("displayName").asString()),
        new DefaultChallenge(B64D.decode(o.get("challenge").asString())), params, 60_000L, List.of(),
        new AuthenticatorSelectionCriteria(null, ResidentKeyRequirement.REQUIRED, UserVerificationRequirement.REQUIRED),
        AttestationConveyancePreference.NONE, null);
    var cred = client.create(options);
    var r = cred.getResponse();
    return "{\"id\":\"" + B64.encodeToString(cred.getRawId()) + "\",\"rawId\":\"" + B64.encodeToString(cred.getRawId())
        + "\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(r.getClientDataJSON())
        + "\",\"attestationObject\":\"" + B64.encodeToString(r.getAttestationObject()) + "\"},\"clientExtensionResults\":{}}";
  }

  private static String get(ClientPlatform client, String optionsJson) {
    var o = JSON.readTree(optionsJson);
    var options = new PublicKeyCredentialRequestOptions(new DefaultChallenge(B64D.decode(o.get("challenge").asString())),
        60_000L, o.get("rpId").asString(), List.of(), UserVerificationRequirement.REQUIRED, null);
    var cred = client.get(options);
    var r = cred.getResponse();
    return "{\"id\":\"" + B64.encodeToString(cred.getRawId()) + "\",\"rawId\":\"" + B64.encodeToString(cred.getRawId())
        + "\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(r.getClientDataJSON())
        + "\",\"authenticatorData\":\"" + B64.encodeToString(r.getAuthenticatorData()) + "\",\"signature\":\""
        + B64.encodeToString(r.getSignature()) + "\",\"userHandle\":\"" + B64.encodeToString(r.getUserHandle())
        + "\"},\"clientExtensionResults\":{}}";
  }
}

package dev.stepgate.bench;

import com.webauthn4j.data.client.Origin;
import com.webauthn4j.test.authenticator.webauthn.PackedAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnAuthenticatorAdaptor;
import com.webauthn4j.test.client.ClientPlatform;
import dev.stepgate.config.AttestationRoots;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.Ceremony;
import dev.stepgate.passkey.CeremonyStart;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.PasskeyService;
import dev.stepgate.passkey.PasskeySettings;
import dev.stepgate.passkey.RegistrationMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enumeration resistance, timed: {@link PasskeyService#startLogin} for a username that has a
 * passkey ({@code known}) and for one that does not exist ({@code unknown}, answered with decoys)
 * should cost the same within noise: both look the user up, then the user's passkeys, then store
 * a ceremony. The embedded SQLite store under /dev/shm (store cost, not fsync: neither writes).
 * See bench/RESULTS-passkey.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class LoginOptionsBenchmark {
  private static final String ORIGIN = "https://gate.example.com";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Path dir;
  private Storage store;
  private PasskeyService service;

  /** Keeps the last ceremony only: the benchmark measures starting one, not holding millions. */
  static final class LastCeremonyStore implements CeremonyStore {
    private volatile Ceremony last;

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
    dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "stepgate-bench") : Files.createTempDirectory("stepgate-bench");
    store = EmbeddedStore.open(dir).storage();
    var settings = new PasskeySettings("gate.example.com", "Bench", Set.of(ORIGIN), true, false, Set.of(), Duration.ofHours(1),
        AttestationRoots.NONE);
    service = new PasskeyService(settings, store.users(), store.passkeys(), store.invites(), store.audit(),
        new LastCeremonyStore(), Clock.systemUTC(), Runnable::run,
        join(store.secrets().getOrCreate(PasskeyService.DECOY_KEY, PasskeyService.newDecoyKey())));
    var client = new ClientPlatform(new Origin(ORIGIN), new WebAuthnAuthenticatorAdaptor(new PackedAuthenticator()));
    var reg = join(service.startRegistration("alice", Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN));
    join(service.finishRegistration(reg.ceremonyId(), AssertionVerifyBenchmark.create(client, reg.publicKeyJson()), Optional.empty(), Optional.empty()));
    // Fail the trial at once if the two answers differ in shape.
    if (JSON.readTree(known().publicKeyJson()).get("allowCredentials").size() != 1
        || JSON.readTree(unknown().publicKeyJson()).get("allowCredentials").isEmpty())
      throw new IllegalStateException("login options have no allowCredentials");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    try (var files = Files.walk(dir)) {
      for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    }
  }

  @Benchmark
  public CeremonyStart known() {
    return join(service.startLogin(Optional.of("alice")));
  }

  @Benchmark
  public CeremonyStart unknown() {
    return join(service.startLogin(Optional.of("mallory")));
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

}

package dev.stepgate.admin;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.stepgate.config.ConfigException;
import dev.stepgate.identity.InMemorySigningKeyStore;
import dev.stepgate.identity.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KeysCommandTest {
  private final InMemorySigningKeyStore store = new InMemorySigningKeyStore();
  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final List<Optional<Path>> openedWith = new ArrayList<>();
  private int closed;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(KeysCommand.StoreOpener opener, String... args) {
    var cl = new CommandLine(new KeysCommand(opener, clock));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private int run(String... args) {
    return run(config -> {
      openedWith.add(config);
      return new KeysCommand.OpenedStore(store, Duration.ofHours(24), () -> closed++);
    }, args);
  }

  @Test
  void rotate_printsNewKidAndGraceAndClosesStore() {
    var old = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24))).currentKid();

    var code = run("rotate", "--config", "/etc/stepgate.yaml");

    assertEquals(0, code, err.toString());
    var current = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24))).currentKid();
    assertEquals("new signing key: " + current + "\n"
        + "previous key " + old + " stays published until 2026-01-02T10:00:00Z (24h grace)\n"
        + "running gateways sign with the new key after their next key reload\n", out.toString());
    assertEquals(List.of(Optional.of(Path.of("/etc/stepgate.yaml"))), openedWith);
    assertEquals(1, closed);
  }

  @Test
  void rotate_withoutConfig_opensDefault() {
    assertEquals(0, run("rotate"));
    assertEquals(List.of(Optional.<Path>empty()), openedWith);
  }

  @Test
  void rotate_corruptStoredKey_exits1WithKidAndChangesNothing() {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24))).currentKid();
    store.corrupt(kid, "{oops");
    var before = store.snapshot();

    var code = run("rotate");

    assertEquals(1, code);
    assertTrue(err.toString().startsWith("stepgate keys rotate: stored signing key " + kid + " does not parse"), err.toString());
    assertEquals(1, err.toString().lines().count());
    assertEquals(before, store.snapshot());
    assertEquals(1, closed);
  }

  @Test
  void rotate_badConfig_exits2WithFirstProblem() {
    var code = run(config -> {
      throw new ConfigException(List.of("a.yaml:3:1: listen: bad port", "a.yaml:9:3: storage.driver: unknown"));
    }, "rotate");

    assertEquals(2, code);
    assertEquals("stepgate keys rotate: a.yaml:3:1: listen: bad port (and 1 more)\n", err.toString());
  }

  @Test
  void list_showsCurrentAndRetiredWithoutKeyMaterial() throws Exception {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24)));
    var old = keys.currentKid();
    var d = ECKey.parse(store.snapshot().get(0).privateJwk()).getD().toString();
    var rotation = dev.stepgate.Async.join(keys.rotate());

    assertEquals(0, run("list"));

    var lines = out.toString().lines().toList();
    assertEquals(3, lines.size(), out.toString());
    assertTrue(lines.get(0).startsWith("KID"));
    assertTrue(lines.get(1).startsWith(rotation.newKid() + "  current"), lines.get(1));
    assertTrue(lines.get(2).startsWith(old + "  retired"), lines.get(2));
    assertTrue(lines.get(2).endsWith("2026-01-02T10:00:00Z"), lines.get(2));
    assertFalse(out.toString().contains(d));
  }

  @Test
  void keys_withoutSubcommand_printsUsageAndExits2() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("rotate"), err.toString());
  }

  @Test
  void rotate_unknownOption_exits2() {
    assertEquals(2, run("rotate", "--bogus"));
  }

  @Test
  void defaultConstructor_opensTheConfiguredEmbeddedStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var config = dir.resolve("gw.yaml");
    java.nio.file.Files.writeString(config, "upstream: http://127.0.0.1:1\nstorage: { path: " + dir.resolve("data") + " }\n");
    var cl = new CommandLine(new KeysCommand());
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new java.io.StringWriter(), true));
    assertEquals(0, cl.execute("rotate", "--config", config.toString()), err::toString);
    assertEquals(0, cl.execute("list", "--config", config.toString()), err::toString);
  }

  @Test
  void durations_formatAsConfigWouldWriteThem() {
    assertEquals("24h", KeysCommand.Durations.format(Duration.ofHours(24)));
    assertEquals("90m", KeysCommand.Durations.format(Duration.ofMinutes(90)));
    assertEquals("45s", KeysCommand.Durations.format(Duration.ofSeconds(45)));
  }
}

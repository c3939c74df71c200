package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** STYLE: webauthn4j stays inside passkey/credential; those two never touch Vert.x. */
class PackageBoundariesTest {
  static final Path MAIN = Path.of("src/main/java/dev/stepgate");

  static List<String> offenders(Path root, String importPrefix) throws IOException {
    var out = new ArrayList<String>();
    if (!Files.isDirectory(root)) return out;
    try (var files = Files.walk(root)) {
      for (var f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (var line : Files.readAllLines(f))
          if (line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix))
            out.add(MAIN.relativize(f) + ": " + line);
      }
    }
    return out;
  }

  @Test
  void passkeyAndCredential_doNotImportVertx() throws IOException {
    var bad = new ArrayList<String>();
    bad.addAll(offenders(MAIN.resolve("passkey"), "io.vertx"));
    bad.addAll(offenders(MAIN.resolve("credential"), "io.vertx"));
    assertEquals(List.of(), bad);
  }

  @Test
  void webauthn4j_isOnlyImportedByPasskeyAndCredential() throws IOException {
    var bad = offenders(MAIN, "com.webauthn4j").stream()
        .filter(l -> !l.startsWith("passkey/") && !l.startsWith("credential/"))
        .toList();
    assertEquals(List.of(), bad);
  }
}

package dev.stepgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** STYLE.md "Dependencies point one way": identity names no Vert.x, webauthn4j or concrete store. */
class IdentityPackageBoundaryTest {
  private static final List<String> FORBIDDEN = List.of("import io.vertx", "import com.webauthn4j", "import java.sql");

  @Test
  void identityPackage_importsNoVertxWebauthn4jOrJdbc() throws Exception {
    var dir = Path.of("src/main/java/dev/stepgate/identity");
    try (Stream<Path> files = Files.list(dir)) {
      var offending = files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> {
            try {
              var text = Files.readString(f);
              return FORBIDDEN.stream().anyMatch(text::contains);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          })
          .map(f -> f.getFileName().toString())
          .toList();
      assertEquals(List.of(), offending);
    }
  }
}

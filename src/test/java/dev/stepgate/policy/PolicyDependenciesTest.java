package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The policy package stays pure (STYLE: no Vert.x, no file or network I/O). */
class PolicyDependenciesTest {
  static final List<String> FORBIDDEN =
      List.of("import io.vertx", "import java.nio.file", "import java.net", "import java.io.File");

  @Test
  void policyPackage_importsNoVertxAndNoIo() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/stepgate/policy"))) {
      List<String> offenders = files.flatMap(f -> {
        try {
          return Files.readAllLines(f).stream()
              .filter(l -> FORBIDDEN.stream().anyMatch(l::startsWith))
              .map(l -> f.getFileName() + ": " + l);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }).toList();
      assertEquals(List.of(), offenders);
    }
  }
}

package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stepgate.policy.PolicyException;
import dev.stepgate.policy.PolicySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFilesTest {
  @TempDir Path dir;

  @Test
  void read_directory_takesYamlFilesInLexicalOrder() throws Exception {
    Files.writeString(dir.resolve("20-b.yml"), "b");
    Files.writeString(dir.resolve("10-a.yaml"), "a");
    Files.writeString(dir.resolve("notes.txt"), "x");
    Files.writeString(dir.resolve(".hidden.yaml"), "x");
    Files.createDirectory(dir.resolve("examples.yaml"));
    List<PolicySource> sources = PolicyFiles.read(dir);
    assertEquals(List.of(dir.resolve("10-a.yaml").toString(), dir.resolve("20-b.yml").toString()),
        sources.stream().map(PolicySource::name).toList());
    assertEquals("a", sources.get(0).text());
  }

  @Test
  void read_singleFile_isOneSource() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), "version: 1\n");
    assertEquals(List.of(new PolicySource(f.toString(), "version: 1\n")), PolicyFiles.read(f));
  }

  @Test
  void read_missingPath_saysSo() {
    Path missing = dir.resolve("nope");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.read(missing));
    assertEquals(List.of(missing + ": no such file or directory"), e.problems());
  }

  @Test
  void read_directoryWithoutYaml_saysSo() {
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.read(dir));
    assertEquals(List.of(dir + ": no *.yaml or *.yml files in this directory"), e.problems());
  }

  @Test
  void read_nonYamlFile_isRejected() throws Exception {
    Path f = Files.writeString(dir.resolve("p.json"), "{}");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.read(f));
    assertEquals(List.of(f + ": a policy file must end in .yaml or .yml"), e.problems());
  }
}

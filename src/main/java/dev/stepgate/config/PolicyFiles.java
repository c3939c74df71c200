package dev.stepgate.config;

import dev.stepgate.policy.PolicyException;
import dev.stepgate.policy.PolicySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the policy files named by the {@code policies} setting (SPEC section 2): one {@code .yaml}
 * / {@code .yml} file, or every such file directly inside a directory, in lexical order of their
 * names. Each source is named by its path as given, so problems read {@code
 * policies/demo.yaml:3:5: ...}.
 */
public final class PolicyFiles {
  private PolicyFiles() {}

  /**
   * The policy sources at {@code fileOrDir}.
   *
   * @throws PolicyException (a {@code StepgateException}) with one problem if the path is missing, unreadable, not
   *     UTF-8, not a YAML file, or a directory without YAML files
   */
  public static List<PolicySource> read(Path fileOrDir) {
    if (Files.isDirectory(fileOrDir)) {
      List<Path> files = yamlFilesIn(fileOrDir);
      if (files.isEmpty()) throw problem(fileOrDir + ": no *.yaml or *.yml files in this directory");
      List<PolicySource> out = new ArrayList<>();
      for (Path f : files) out.add(source(f));
      return List.copyOf(out);
    }
    if (!Files.exists(fileOrDir)) throw problem(fileOrDir + ": no such file or directory");
    if (!isYaml(fileOrDir)) throw problem(fileOrDir + ": a policy file must end in .yaml or .yml");
    return List.of(source(fileOrDir));
  }

  private static List<Path> yamlFilesIn(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> isYaml(p) && Files.isRegularFile(p))
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw problem(dir + ": cannot list directory (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean isYaml(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  private static PolicySource source(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String text = StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new PolicySource(file.toString(), text);
    } catch (CharacterCodingException e) {
      throw problem(file + ": not valid UTF-8");
    } catch (IOException e) {
      throw problem(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static PolicyException problem(String message) {
    return new PolicyException(List.of(message));
  }
}

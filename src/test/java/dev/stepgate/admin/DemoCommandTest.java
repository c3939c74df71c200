package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code stepgate demo}'s options: the bolt-on variant is named in the help, and its policy ships. */
class DemoCommandTest {
  @Test
  void help_namesBoltOnAndBothPolicyDefaults() {
    var cli = Cli.commandLine();
    var out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("demo", "--help"));
    var help = out.toString().replaceAll("\\s+", " ");
    assertTrue(help.contains("--bolt-on Bolt-on mode: the demo app keeps its own password login"), help);
    assertTrue(help.contains("default policies/demo.yaml, with --bolt-on policies/bolt-on/demo-bolt-on.yaml"), help);
  }

  /** Each default policy file also ships in the jar, so the demo runs from any directory. */
  @Test
  void defaultPolicies_areBundledAsTheyAreInTheRepository() throws Exception {
    for (var file : java.util.List.of(DemoCommand.POLICIES, DemoCommand.BOLT_ON_POLICIES)) {
      try (var in = DemoCommand.class.getResourceAsStream("/stepgate/policies/" + file.getFileName())) {
        assertTrue(in != null, file + " is not bundled");
        assertEquals(java.nio.file.Files.readString(file), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }
}

package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    var cli = Cli.commandLine();
    var out = new StringWriter();
    var err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "run", "demo"})
  void help_everyCommand_printsUsageAndExitsZero(String command) {
    var args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
    var r = run(args);
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("Usage: stepgate"), r.out());
  }

  @Test
  void unknownCommand_isOneLineOnStderrAndExitTwo() {
    var r = run("frobnicate");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("stepgate: Unmatched argument"), r.err());
  }

  @Test
  void run_withoutConfig_exitsTwo() {
    var r = run("run");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--config"), r.err());
  }

  @Test
  void run_badConfig_printsEachProblemAndExitsTwoWithoutStarting(@TempDir Path dir) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "listen: nonsense\n");
    var r = run("run", "--config", f.toString());
    assertEquals(2, r.code());
    assertEquals("stepgate: " + f + ":1:9: listen: 'nonsense' is not host:port\n"
        + "stepgate: " + f + ":1:1: upstream: required (the URL of the app behind the gateway)\n", r.err());
  }

  @Test
  void noCommand_exitsTwo() {
    assertEquals(2, run().code());
  }
}

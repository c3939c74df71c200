package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 7 as an operator meets it: the gateway and the admin commands refuse a storage
 * directory others may read, with exit code 2 and one line, unless the config allows it.
 */
class StoragePermissionsCliTest {
  @TempDir Path dir;
  Path data;
  Path policy;

  /** The command line as a user runs it: {@link CliTest#run}. */
  static CliTest.Result run(String... args) {
    return CliTest.run(args);
  }

  @BeforeEach
  void sharedDataDirectory() throws Exception {
    data = Files.createDirectory(dir.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\ndefaults: { require: public }\nrules: []\n");
  }

  Path config(String extra) throws Exception {
    return Files.writeString(dir.resolve("gw.yaml"), "listen: 127.0.0.1:0\nadmin_listen: 127.0.0.1:0\n"
        + "upstream: http://127.0.0.1:9\npolicies: " + policy + "\nstorage:\n  path: " + data + "\n" + extra);
  }

  String refusal() {
    return "stepgate: storage path " + data + " is readable by others (mode 0755); chmod 700 it or set "
        + "storage.allow_shared_permissions: true\n";
  }

  @Test
  void run_storageReadableByOthers_exitsTwoWithOneLineAndStartsNothing() throws Exception {
    var r = run("run", "--config", config("").toString());
    assertEquals(2, r.code());
    assertEquals(refusal(), r.err());
    assertFalse(Files.exists(data.resolve("stepgate.db")));
  }

  @Test
  void adminCommands_storageReadableByOthers_exitTwoWithTheSameLine() throws Exception {
    var cfg = config("").toString();
    for (var args : new String[][] {{"users", "list"}, {"credentials", "list", "alice"}, {"invite", "alice"}}) {
      var all = new String[args.length + 2];
      System.arraycopy(args, 0, all, 0, args.length);
      all[args.length] = "--config";
      all[args.length + 1] = cfg;
      var r = run(all);
      assertEquals(2, r.code(), String.join(" ", args));
      assertEquals(refusal(), r.err(), String.join(" ", args));
    }
    var keys = run("keys", "list", "--config", cfg);
    assertEquals(2, keys.code());
    assertEquals(refusal().replace("stepgate: ", "stepgate keys list: "), keys.err());
  }

  @Test
  void adminCommands_allowSharedPermissions_work() throws Exception {
    var r = run("users", "list", "--config", config("  allow_shared_permissions: true\n").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }
}

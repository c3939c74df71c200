package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 7: the store's directory and files are the owner's only, whatever the umask. */
class StoreFilesTest {
  @TempDir Path tmp;

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void open_freshStoreUnderUmask000_isOwnerOnly() throws Exception {
    var data = tmp.resolve("parent/data");
    // A child JVM with umask 000, as a careless service manager would start it; it keeps the
    // store open (so -wal and -shm exist) until killed.
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var child = new ProcessBuilder("/bin/sh", "-c", "umask 000 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"", java,
            System.getProperty("java.class.path"), StoreWriterMain.class.getName(), data.toString())
        .redirectErrorStream(true).start();
    try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("committed 0")) { }
      assertNotNull(line, "the child store did not start");
      assertEquals("rwx------", mode(data));
      assertEquals("rw-------", mode(data.resolve("stepgate.db")));
      assertEquals("rw-------", mode(data.resolve("stepgate.db-wal")));
      assertEquals("rw-------", mode(data.resolve("stepgate.db-shm")));
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    // Only what SQLite and the store made is in the directory, each owner-only.
    try (var files = Files.list(data)) {
      for (var f : files.toList()) assertEquals("rw-------", mode(f), f.toString());
    }
  }

  @Test
  void open_existingDirectoryReadableByOthers_isRefusedWithOneLine() throws Exception {
    var data = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    var e = assertThrows(CredentialException.class, () -> BlockingStore.open(data));
    assertEquals(StoreFiles.SHARED, e.type());
    assertEquals("storage path " + data + " is readable by others (mode 0755); chmod 700 it or set "
        + "storage.allow_shared_permissions: true", e.getMessage());
    assertFalse(Files.exists(data.resolve("stepgate.db")), "nothing is created");
  }

  @Test
  void open_existingDatabaseReadableByGroup_isRefused() throws Exception {
    var data = tmp.resolve("data");
    BlockingStore.open(data).close();
    Files.setPosixFilePermissions(data.resolve("stepgate.db"), PosixFilePermissions.fromString("rw-r-----"));
    var e = assertThrows(CredentialException.class, () -> BlockingStore.open(data));
    assertEquals("storage file " + data.resolve("stepgate.db") + " is readable by others (mode 0640); chmod 600 it or "
        + "set storage.allow_shared_permissions: true", e.getMessage());
  }

  @Test
  void open_directoryWritableByOthers_saysSo() throws Exception {
    var data = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx-w----"));
    assertEquals("storage path " + data + " is writable by others (mode 0720); chmod 700 it or set "
        + "storage.allow_shared_permissions: true",
        assertThrows(CredentialException.class, () -> BlockingStore.open(data)).getMessage());
  }

  @Test
  void open_allowSharedPermissions_acceptsTheExistingStoreAsItIs() throws Exception {
    var data = Files.createDirectory(tmp.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
    try (var store = BlockingStore.open(data, true)) {
      store.createUser(new User("dXNlcg", "alice", "Alice", java.time.Instant.now()));
    }
    assertEquals("rwxr-x---", mode(data), "the operator's choice is kept");
    assertEquals("rw-------", mode(data.resolve("stepgate.db")), "a new file is still owner-only");
    Files.setPosixFilePermissions(data.resolve("stepgate.db"), PosixFilePermissions.fromString("rw-r-----"));
    BlockingStore.open(data, true).close();
    assertEquals("rw-r-----", mode(data.resolve("stepgate.db")));
  }

  @Test
  void open_existingOwnerOnlyStore_opens() throws Exception {
    var data = tmp.resolve("data");
    BlockingStore.open(data).close();
    BlockingStore.open(data).close();
    assertEquals("rwx------", mode(data));
  }

  @Test
  void octal_rendersEveryBit() {
    assertEquals("0755", StoreFiles.octal(PosixFilePermissions.fromString("rwxr-xr-x")));
    assertEquals("0600", StoreFiles.octal(PosixFilePermissions.fromString("rw-------")));
    assertEquals("0001", StoreFiles.octal(PosixFilePermissions.fromString("--------x")));
  }
}

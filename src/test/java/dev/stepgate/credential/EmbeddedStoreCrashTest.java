package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC section 7: the embedded store survives {@code kill -9} in the middle of writes. */
class EmbeddedStoreCrashTest {
  @TempDir Path dir;

  @Test
  void killMinus9_midWrite_keepsEveryCommittedRowAndAnIntactFile() throws Exception {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            StoreWriterMain.class.getName(), dir.toString())
        .redirectErrorStream(true)
        .start();
    int lastCommitted = Integer.MIN_VALUE;
    try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (!line.startsWith("committed ")) continue;
        lastCommitted = Integer.parseInt(line.substring("committed ".length()));
        if (lastCommitted >= 150) break;
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    } finally {
      child.destroyForcibly();
    }
    assertTrue(lastCommitted >= 150, "child did not get far enough: " + lastCommitted);

    try (var embedded = EmbeddedStore.open(dir)) {
      var store = new BlockingStore(embedded.storage());
      assertEquals("ok", embedded.integrityCheck());
      var user = store.findUserByUsername("writer").orElseThrow();
      for (int i = 0; i <= lastCommitted; i++) {
        var id = ByteBuffer.allocate(4).putInt(i).array();
        assertTrue(store.findCredential(id).isPresent(), "committed credential " + i + " is lost");
      }
      int n = store.listCredentials(user.id()).size();
      assertTrue(n == lastCommitted + 1 || n == lastCommitted + 2, "rows: " + n);
    }
  }
}

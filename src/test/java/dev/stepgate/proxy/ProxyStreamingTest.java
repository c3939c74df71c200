package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.TestUpstream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1 GiB each way through the gateway. The test JVM runs with -Xmx768m and 256 MiB of direct
 * memory (pom.xml), so a gateway that buffered either body could not pass; the sampled heap peak
 * is asserted too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyStreamingTest {
  static final long GIB = 1L << 30;
  Path data;
  TestUpstream upstream;
  Gateway gateway;

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); subclasses test the other path. */
  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    data = dir;
    upstream = new TestUpstream();
    gateway = Gateways.start(upstream.url(), data, "proxy: { relay: " + relay() + " }\n");
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @Test
  void upload_oneGibibyte_streamsWithFlatHeap() throws Exception {
    try (var peak = new HeapPeak()) {
      var conn = (HttpURLConnection) URI.create("http://localhost:" + gateway.port() + "/upload").toURL().openConnection();
      conn.setDoOutput(true);
      conn.setRequestMethod("POST");
      conn.setFixedLengthStreamingMode(GIB);
      var chunk = new byte[256 * 1024];
      try (var out = conn.getOutputStream()) {
        for (long sent = 0; sent < GIB; sent += chunk.length) out.write(chunk);
      }
      assertEquals(200, conn.getResponseCode());
      try (InputStream in = conn.getInputStream()) {
        assertEquals("POST /upload " + GIB, new String(in.readAllBytes()));
      }
      assertEquals(GIB, upstream.last().bodyBytes());
      assertTrue(peak.max() < 512L << 20, "heap peaked at " + (peak.max() >> 20) + " MiB");
    }
  }

  @Test
  void download_oneGibibyte_streamsWithFlatHeap() throws Exception {
    try (var peak = new HeapPeak()) {
      var conn = (HttpURLConnection) URI.create("http://localhost:" + gateway.port() + "/download?bytes=" + GIB).toURL().openConnection();
      assertEquals(200, conn.getResponseCode());
      assertEquals(GIB, conn.getContentLengthLong());
      long total = 0;
      var buf = new byte[256 * 1024];
      try (InputStream in = conn.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) total += n;
      }
      assertEquals(GIB, total);
      assertTrue(peak.max() < 512L << 20, "heap peaked at " + (peak.max() >> 20) + " MiB");
    }
  }

  /**
   * Samples, every 20 ms, the heap still in use after the latest collection (garbage excluded):
   * what a buffered body would have to occupy.
   */
  static final class HeapPeak implements AutoCloseable {
    private final AtomicLong max = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    HeapPeak() {
      var pools = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null).toList();
      thread = new Thread(() -> {
        while (running.get()) {
          long retained = 0;
          for (var pool : pools) retained += pool.getCollectionUsage().getUsed();
          max.accumulateAndGet(retained, Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    long max() {
      return max.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}

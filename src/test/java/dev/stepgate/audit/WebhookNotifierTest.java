package dev.stepgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook against a real loopback HTTP server. */
class WebhookNotifierTest {
  static final String SECRET = "0123456789abcdef-webhook";

  record Received(String signature, String body) {}

  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger failFirst = new AtomicInteger();
  CountDownLatch gate = new CountDownLatch(0);
  final CountDownLatch arrived = new CountDownLatch(1);
  HttpServer server;

  URI start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      arrived.countDown();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(exchange.getRequestHeaders().getFirst(WebhookNotifier.SIGNATURE_HEADER), body));
      exchange.sendResponseHeaders(failFirst.getAndDecrement() > 0 ? 500 : 204, -1);
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) Thread.sleep(25);
    assertTrue(condition.getAsBoolean(), "condition not met in time");
  }

  @Test
  void notify_postsSignedJson_thatTheReceiverVerifies() throws Exception {
    var notifier = new WebhookNotifier(start(), SECRET, 3, Duration.ofMillis(10), 10, Clock.systemUTC());
    notifier.notify("passkey_added", "u-1", Map.of("credential", "Y3JlZA"));
    await(() -> notifier.delivered() == 1);
    notifier.close();
    var r = received.get(0);
    var json = new JsonObject(r.body());
    assertEquals("passkey_added", json.getString("event"));
    assertEquals("u-1", json.getString("user"));
    assertEquals("Y3JlZA", json.getString("credential"));
    var t = Long.parseLong(r.signature().replaceFirst("^t=(\\d+),v1=[0-9a-f]{64}$", "$1"));
    assertEquals(WebhookNotifier.signature(SECRET.getBytes(StandardCharsets.UTF_8), t, r.body()), r.signature());
    assertTrue(Math.abs(t - System.currentTimeMillis() / 1000) < 60);
  }

  @Test
  void notify_retriesAfter500_thenDelivers() throws Exception {
    failFirst.set(2);
    var notifier = new WebhookNotifier(start(), SECRET, 3, Duration.ofMillis(10), 10, Clock.systemUTC());
    notifier.notify("passkey_revoked", "u-1", Map.of());
    await(() -> notifier.delivered() == 1);
    notifier.close();
    assertEquals(3, received.size());
    assertEquals(0, notifier.failed());
  }

  @Test
  void notify_givesUpAfterTheBound() throws Exception {
    failFirst.set(100);
    var notifier = new WebhookNotifier(start(), SECRET, 2, Duration.ofMillis(10), 10, Clock.systemUTC());
    notifier.notify("passkey_revoked", "u-1", Map.of());
    await(() -> notifier.failed() == 1);
    Thread.sleep(100);
    notifier.close();
    assertEquals(2, received.size());
    assertEquals(0, notifier.delivered());
  }

  @Test
  void notify_fullQueue_dropsAndCounts() throws Exception {
    gate = new CountDownLatch(1); // the receiver hangs: one in flight, two queued
    var notifier = new WebhookNotifier(start(), SECRET, 1, Duration.ofMillis(10), 2, Clock.systemUTC());
    notifier.notify("passkey_added", "u-1", Map.of());
    assertTrue(arrived.await(10, TimeUnit.SECONDS)); // the sender is in the first POST
    for (int i = 0; i < 5; i++) notifier.notify("passkey_added", "u-1", Map.of());
    assertEquals(3, notifier.dropped());
    gate.countDown();
    await(() -> notifier.delivered() == 3);
    notifier.close();
  }

  @Test
  void notifyingTrail_forwardsOnlyTheNotifiedEvents() {
    var seen = new CopyOnWriteArrayList<String>();
    var inner = new QueuedAuditTrail(java.io.OutputStream.nullOutputStream(), false, 10, Clock.systemUTC(), "test");
    var trail = new NotifyingAuditTrail(inner, (event, user, fields) -> seen.add(event + ":" + user), () -> {});
    trail.emit(AuditEntry.of("signed_in").user("u-1"));
    trail.emit(AuditEntry.of("passkey_added").user("u-1"));
    trail.emit(AuditEntry.of("recovery_code_used").user("u-2"));
    trail.close();
    assertEquals(List.of("passkey_added:u-1", "recovery_code_used:u-2"), seen);
  }
}

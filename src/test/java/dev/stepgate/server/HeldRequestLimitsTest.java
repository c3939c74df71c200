package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Form POSTs held across a step-up stay within their bounds (issue 10 item 5): a few per session,
 * and a byte budget for the whole gateway, enforced while the body is read. Past a bound the
 * browser is told to confirm first and submit again; what is already held stays and replays.
 */
class HeldRequestLimitsTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: change-email
          description: Change the email address on your account
          match: { methods: [POST], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
      """;
  static final String REFUSAL = "We could not keep this form while you confirm it&#39;s you. "
      + "Confirm with your passkey, then submit the form again.";

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;

  void start(String extraYaml) throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, extraYaml);
    gateway = started.gateway();
    base = started.base();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
  }

  PasskeyUser signedIn(String username) throws Exception {
    var user = new PasskeyUser(base);
    user.enroll(username);
    return user;
  }

  static HttpResponse<String> browserPost(PasskeyUser user, String form) throws Exception {
    return user.send("POST", "/account/email", form, "Accept", "text/html",
        "Content-Type", "application/x-www-form-urlencoded");
  }

  static String heldId(HttpResponse<String> held) {
    assertEquals(303, held.statusCode(), held.body());
    var location = held.headers().firstValue("Location").orElseThrow();
    return location.substring(location.indexOf("held=") + 5);
  }

  static void assertRefusedWithThePage(HttpResponse<String> r) {
    assertEquals(429, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(r.body().contains(REFUSAL), r.body());
    assertTrue(r.body().contains("<a href=\"/.stepgate/step-up?rd=%2Faccount%2Femail\">Confirm with your passkey</a>"),
        r.body());
  }

  List<String> emailsReceived() {
    return upstream.received().stream().filter(r -> r.uri().equals("/account/email")).map(r -> r.body()).toList();
  }

  @Test
  void fourthHeldPostOfASession_isRefusedWithAPage_andTheFirstThreeStillReplay() throws Exception {
    start("");
    var user = signedIn("alice");
    var ids = new ArrayList<String>();
    for (int i = 1; i <= 3; i++) ids.add(heldId(browserPost(user, "email=" + i)));
    assertRefusedWithThePage(browserPost(user, "email=4"));
    // A second session of another user has its own bound.
    heldId(browserPost(signedIn("bob"), "email=bob"));

    var done = user.stepUp(new JsonObject().put("held", ids.get(0)));
    assertEquals("/.stepgate/resume/" + ids.get(0), done.getString("resume"));
    for (var id : ids) {
      var replayed = user.send("GET", "/.stepgate/resume/" + id, null, "Accept", "text/html");
      assertEquals(200, replayed.statusCode(), replayed.body());
    }
    assertEquals(List.of("email=1", "email=2", "email=3"), emailsReceived());
  }

  @Test
  void heldBytesAcrossSessions_areBounded_includingBodiesWithoutContentLength() throws Exception {
    // Room for three 60 KiB forms (with their headers), not four.
    start("proxy: { held_requests_max_bytes: 200KiB }\n");
    var form = "email=" + "x".repeat(60 * 1024);
    var users = new ArrayList<PasskeyUser>();
    for (int i = 0; i < 5; i++) users.add(signedIn("user" + i));
    var first = heldId(browserPost(users.get(0), form));
    heldId(browserPost(users.get(1), form));
    heldId(browserPost(users.get(2), form));
    assertRefusedWithThePage(browserPost(users.get(3), form));
    // A chunked body (no Content-Length) is refused as it arrives, past the budget.
    var chunked = users.get(4).http.send(HttpRequest.newBuilder(URI.create(base + "/account/email"))
        .timeout(Duration.ofSeconds(20)).header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form.getBytes()))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertRefusedWithThePage(chunked);

    // The held ones stay: one replays, and its room is free again.
    users.get(0).stepUp(new JsonObject().put("held", first));
    assertEquals(200, users.get(0).send("GET", "/.stepgate/resume/" + first, null, "Accept", "text/html").statusCode());
    assertEquals(1, emailsReceived().size());
    heldId(browserPost(users.get(3), form));
  }

  @Test
  void aFloodOfHeldPosts_keepsTheHeapFlat() throws Exception {
    start("");
    var form = "email=" + "y".repeat(64 * 1024 - 6); // 64 KiB, the largest form that may be held
    var users = new ArrayList<PasskeyUser>();
    for (int i = 0; i < 8; i++) users.add(signedIn("flood" + i));
    long before = retainedHeap();
    int held = 0;
    int refused = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    for (int i = 0; i < 2000 && System.nanoTime() < deadline; i++) {
      var r = browserPost(users.get(i % users.size()), form);
      if (r.statusCode() == 303) held++;
      else if (r.statusCode() == 429) refused++;
      else throw new AssertionError(r.statusCode() + " " + r.body());
    }
    long grown = retainedHeap() - before;
    assertEquals(8 * 3, held, "three per session");
    assertEquals(2000 - 8 * 3, refused);
    // 2 000 held forms would retain 125 MiB; 24 of them about 1.5 MiB.
    assertTrue(grown < 24L << 20, "the retained heap grew by " + (grown >> 20) + " MiB");
  }

  /** The heap in use right after a full collection: what is retained, garbage excluded. */
  static long retainedHeap() throws InterruptedException {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      long used = 0;
      for (var pool : ManagementFactory.getMemoryPoolMXBeans())
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) used += pool.getCollectionUsage().getUsed();
      least = Math.min(least, used);
    }
    return least;
  }
}

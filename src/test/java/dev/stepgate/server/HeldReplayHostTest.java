package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A held POST is decided for the host it was sent to, at the prompt and at the replay alike,
 * whichever served host the browser later resumes through (issue 10 item 10).
 */
class HeldReplayHostTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: transfer
          description: Send money from the branch site
          match: { methods: [POST], paths: ["/transfer"], hosts: ["127.0.0.1"] }
          require: step_up
          max_age: 0s
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  int port;
  PasskeyUser user; // on public_url's host, localhost

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    port = PasskeyUser.freePort();
    // Two hosts served: localhost (public_url) and 127.0.0.1 (another origin of the same gateway).
    gateway = Gateways.start(upstream.url(), dir.resolve("data"), "listen: 127.0.0.1:" + port
        + "\npublic_url: http://localhost:" + port + "\npolicies: " + policy
        + "\nwebauthn: { origins: [\"http://127.0.0.1:" + port + "\"] }\n");
    user = new PasskeyUser("http://localhost:" + port);
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @Test
  void heldOnOneServedHost_replayedThroughAnother_getsTheDecisionOfThePrompt() throws Exception {
    user.enroll("olga");
    // The form is posted on 127.0.0.1, where the transfer rule applies.
    var other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var held = other.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/transfer"))
        .timeout(Duration.ofSeconds(20)).header("Cookie", user.cookie()).header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("amount=100")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, held.statusCode(), held.body());
    var location = held.headers().firstValue("Location").orElseThrow();
    var heldId = location.substring(location.indexOf("held=") + 5);

    // The prompt and the replay run on localhost: both decide for 127.0.0.1, the held request's host.
    var prompt = user.send("GET", location, null, "Accept", "text/html");
    assertEquals(200, prompt.statusCode(), prompt.body());
    assertTrue(prompt.body().contains("Send money from the branch site"), prompt.body());
    var done = user.stepUp(new JsonObject().put("held", heldId));
    var replayed = user.send("GET", done.getString("resume"), null, "Accept", "text/html");
    assertEquals(200, replayed.statusCode(), replayed.body());

    var sent = upstream.received().stream().filter(r -> r.uri().equals("/transfer")).toList();
    assertEquals(1, sent.size());
    assertEquals("amount=100", sent.get(0).body());
    var claims = user.verify(sent.get(0).headers().get("X-Stepgate-Assertion"));
    assertEquals("transfer", claims.getStringClaim("rule"));
    assertEquals("urn:stepgate:step-up", claims.getStringClaim("acr"));
    // ...and the one-time step-up was spent on it.
    var again = other.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/transfer"))
        .timeout(Duration.ofSeconds(20)).header("Cookie", user.cookie()).header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("amount=100")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, again.statusCode(), again.body());
  }
}

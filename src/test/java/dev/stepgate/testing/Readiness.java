package dev.stepgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a gateway's {@code /.stepgate/readyz} and waits for a dependency to reach a state. */
public final class Readiness {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Readiness() {}

  /** The body of readyz; it always answers 200 while the node serves. */
  public static JsonObject read(String base) throws Exception {
    var r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/.stepgate/readyz")).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /**
   * Waits until {@code dependency}'s status (storage or sessions) is {@code status}; fails after
   * {@code within} with the last body.
   *
   * @return the body that showed it, and how long it took
   */
  public static Seen await(String base, String dependency, String status, Duration within) throws Exception {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    JsonObject last;
    do {
      last = read(base);
      if (status.equals(last.getJsonObject(dependency).getString("status")))
        return new Seen(last, Duration.ofNanos(System.nanoTime() - start));
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    fail(dependency + " not " + status + " within " + within.toMillis() + " ms: " + last.encode());
    return null;
  }

  public record Seen(JsonObject body, Duration after) {}
}

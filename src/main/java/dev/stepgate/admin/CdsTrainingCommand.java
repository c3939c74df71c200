package dev.stepgate.admin;

import dev.stepgate.server.Demo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code stepgate cds-training} (hidden): the training run of the class-data-sharing archive the
 * build makes ({@code java -XX:ArchiveClassesAtExit=target/stepgate.jsa -jar target/stepgate.jar
 * cds-training}). It starts the demo on free loopback ports in a temporary directory, sends the
 * requests a starting gateway meets first (pages, the API, the relay, readiness), stops and exits:
 * the JVM then writes every class that run loaded into the archive, and a gateway started with
 * {@code -XX:SharedArchiveFile=target/stepgate.jsa} maps them instead of loading them one by one.
 */
@Command(name = "cds-training", hidden = true, description = "Training run for the class-data-sharing archive (used by the build).")
public final class CdsTrainingCommand implements Callable<Integer> {
  static final List<String> GETS = List.of("/", "/.stepgate/readyz", "/.stepgate/healthz", "/.stepgate/login",
      "/.stepgate/jwks.json", "/.stepgate/api/session", "/account", "/static/app.css", "/.stepgate/nothing");

  @Override
  public Integer call() throws Exception {
    var dir = Files.createTempDirectory("stepgate-cds-");
    try {
      var demo = Demo.start(0, dir.resolve("data"), dir.resolve("no-such-policies"));
      try {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        var base = demo.url().replaceAll("/$", "");
        for (int round = 0; round < 3; round++) {
          for (var path : GETS) send(http, HttpRequest.newBuilder(URI.create(base + path)).GET()
              .header("Accept", round == 0 ? "text/html" : "application/json"));
          send(http, HttpRequest.newBuilder(URI.create(base + "/.stepgate/api/registration/options"))
              .header("Content-Type", "application/json").header("Origin", base)
              .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"cds-training-" + round + "\"}")));
          send(http, HttpRequest.newBuilder(URI.create(base + "/.stepgate/api/login/options"))
              .header("Content-Type", "application/json").header("Origin", base)
              .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"nobody\"}")));
        }
      } finally {
        demo.close();
      }
      return 0;
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void send(HttpClient http, HttpRequest.Builder request) {
    try {
      http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // A training request that fails only leaves its classes out of the archive.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      for (var f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    } catch (IOException e) {
      // a temporary directory: the system cleans it eventually
    }
  }
}

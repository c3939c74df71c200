package dev.stepgate.audit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link Notifier} that POSTs each notification as JSON ({@code event}, {@code user}, {@code
 * ts}, then the event's fields) to a webhook, from one thread of its own. The body is signed:
 * {@code Stepgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the secret>}
 * (the receiver recomputes it and rejects an old {@code t}). A 2xx answer is delivered; anything
 * else (or no answer) is tried again after 1s, 2s, 4s, ... up to {@code maxAttempts} tries, then
 * given up and counted. A full queue drops and counts.
 */
public final class WebhookNotifier implements Notifier, AutoCloseable {
  public static final String SIGNATURE_HEADER = "Stepgate-Signature";
  public static final int DEFAULT_CAPACITY = 1_000;
  public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(WebhookNotifier.class.getName());

  private final URI url;
  private final byte[] secret;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Clock clock;
  private final BlockingQueue<String> queue;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final Thread sender;
  private volatile boolean closed;

  public WebhookNotifier(URI url, String secret, int maxAttempts, Clock clock) {
    this(url, secret, maxAttempts, DEFAULT_FIRST_BACKOFF, DEFAULT_CAPACITY, clock);
  }

  WebhookNotifier(URI url, String secret, int maxAttempts, Duration firstBackoff, int capacity, Clock clock) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
    this.url = url;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sender = new Thread(this::drain, "stepgate-webhook");
    sender.setDaemon(true);
    sender.start();
  }

  @Override
  public void notify(String event, String userId, Map<String, String> fields) {
    var body = new StringBuilder("{\"event\":");
    AuditLine.string(body, event);
    body.append(",\"user\":");
    AuditLine.string(body, userId);
    body.append(",\"ts\":");
    AuditLine.string(body, clock.instant().toString());
    for (var f : fields.entrySet()) {
      body.append(',');
      AuditLine.string(body, f.getKey());
      body.append(':');
      AuditLine.string(body, f.getValue());
    }
    if (closed || !queue.offer(body.append('}').toString())) dropped.incrementAndGet();
  }

  /** Notifications never sent: the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Notifications given up on after {@code maxAttempts} tries. */
  public long failed() {
    return failed.get();
  }

  public long delivered() {
    return delivered.get();
  }

  /** The {@link #SIGNATURE_HEADER} value of {@code body} sent at {@code unixSeconds} under {@code secret}. */
  public static String signature(byte[] secret, long unixSeconds, String body) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      var digest = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }

  private void drain() {
    try {
      while (!closed || !queue.isEmpty()) {
        var body = queue.poll(200, TimeUnit.MILLISECONDS);
        if (body != null) deliver(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliver(String body) throws InterruptedException {
    var backoff = firstBackoff;
    for (int attempt = 1; ; attempt++) {
      var outcome = attempt(body);
      if (outcome == null) {
        delivered.incrementAndGet();
        return;
      }
      if (attempt >= maxAttempts) {
        failed.incrementAndGet();
        LOG.warning("webhook notification given up after " + attempt + " attempt(s) (" + outcome + ")");
        return;
      }
      Thread.sleep(backoff.toMillis());
      backoff = backoff.multipliedBy(2);
    }
  }

  /** Null when delivered; else why not (a status or an exception class, never the body). */
  private String attempt(String body) throws InterruptedException {
    // Signed per attempt: t is when it was sent, so a receiver's freshness check holds for retries too.
    var request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret, clock.instant().getEpochSecond(), body))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    try {
      var status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status / 100 == 2 ? null : "status " + status;
    } catch (java.io.IOException e) {
      return e.getClass().getSimpleName();
    }
  }

  /** Sends what is queued (a retry in progress may be cut short after a few seconds), then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      sender.join(5_000);
      if (sender.isAlive()) sender.interrupt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

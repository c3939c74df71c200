package dev.stepgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: loopback only, on a free port, no persistence, in a
 * temporary directory. It never skips: when the binary is missing or the server does not answer
 * within {@link #START_TIMEOUT_MS}, {@link #start} throws with the reason. {@link #close} (and a
 * JVM shutdown hook, should a test run be cut short) stops it within a few seconds.
 */
public final class RedisServer implements AutoCloseable {
  static final long START_TIMEOUT_MS = 10_000;

  private final Path dir;
  private final int port;
  private final List<String> extra;
  private final Thread hook;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = List.copyOf(extra);
    this.hook = new Thread(this::stopQuietly, "redis-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts a server on a free loopback port; fails (never skips) if it cannot. */
  public static RedisServer start() {
    return start(List.of());
  }

  /**
   * Starts one with extra arguments: {@code --requirepass PW}, or {@code --sentinel} with a
   * {@code sentinel monitor} line for a Sentinel ({@link #sentinel}).
   */
  public static RedisServer start(List<String> extraArgs) {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        var server = new RedisServer(Files.createTempDirectory("stepgate-redis"), freePort(), extraArgs);
        server.launch();
        return server;
      } catch (IOException e) {
        last = e; // most likely someone took the port between probing and binding: try another
      }
    }
    throw new IllegalStateException("redis-server did not start (is it installed? scripts/test installs it): " + last, last);
  }

  /** A Sentinel watching {@code master} under the name {@code name} (quorum 1). */
  public static RedisServer sentinel(RedisServer master, String name) {
    return start(List.of("--sentinel", "--sentinel", "monitor", name, "127.0.0.1", Integer.toString(master.port()), "1"));
  }

  /**
   * A Sentinel that fails {@code master} over quickly: down after {@code downAfterMs} without an
   * answer, quorum 1 (one Sentinel decides), one replica resynchronised at a time.
   */
  public static RedisServer fastSentinel(RedisServer master, String name, int downAfterMs) {
    return start(List.of("--sentinel", "--sentinel", "monitor", name, "127.0.0.1", Integer.toString(master.port()), "1",
        "--sentinel", "down-after-milliseconds", name, Integer.toString(downAfterMs),
        "--sentinel", "failover-timeout", name, "10000",
        "--sentinel", "parallel-syncs", name, "1"));
  }

  /** A replica of {@code master}. */
  public static RedisServer replicaOf(RedisServer master) {
    return start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT/0}. */
  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** {@code INFO section} in full (a bulk reply {@link #command} would cut to its length line). */
  public String info(String section) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      var req = "*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      var head = readLine(s.getInputStream());
      if (!head.startsWith("$")) throw new IllegalStateException("INFO answered " + head);
      var body = s.getInputStream().readNBytes(Integer.parseInt(head.substring(1)));
      return new String(body, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs one command over a fresh connection and returns its reply's first line (tests only). */
  public String command(String... args) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      int pw = extra.indexOf("--requirepass");
      var out = new StringBuilder();
      if (pw >= 0) {
        var secret = extra.get(pw + 1);
        out.append("*2\r\n$4\r\nAUTH\r\n$").append(secret.length()).append("\r\n").append(secret).append("\r\n");
      }
      out.append("*" + args.length + "\r\n");
      for (var a : args) out.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      s.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      if (pw >= 0) readLine(s.getInputStream()); // +OK of AUTH
      return readLine(s.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Empties every database: call between tests. */
  public void flushAll() {
    var reply = command("FLUSHALL");
    if (!reply.equals("+OK")) throw new IllegalStateException("FLUSHALL answered " + reply);
  }

  /** Kills the server (as a crash would): every connection drops, every key is lost. */
  public void stop() {
    stopQuietly();
  }

  /** Starts it again on the same port after {@link #stop}. */
  public void restart() {
    if (process != null && process.isAlive()) throw new IllegalStateException("still running");
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("redis-server did not restart on port " + port + ": " + e, e);
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers; {@link #resume} undoes it. */
  public void pause() {
    signal("-STOP");
  }

  public void resume() {
    signal("-CONT");
  }

  private void signal(String sig) {
    try {
      var kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill " + sig + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private void launch() throws IOException {
    var cmd = new ArrayList<String>();
    cmd.add("redis-server");
    if (extra.contains("--sentinel")) {
      // A Sentinel needs a writable config file of its own; its monitor line comes after the flags.
      var conf = dir.resolve("sentinel.conf");
      if (!Files.exists(conf)) Files.writeString(conf, "");
      cmd.add(conf.toString());
    }
    cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes",
        "--logfile", dir.resolve("redis.log").toString()));
    if (!extra.contains("--sentinel")) cmd.addAll(List.of("--save", "", "--appendonly", "no"));
    cmd.addAll(extra);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) throw new IOException("redis-server exited with " + process.exitValue() + ": " + log());
      try {
        if (command("PING").equals("+PONG")) return;
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    stopQuietly();
    throw new IOException("redis-server did not answer PING within " + START_TIMEOUT_MS + " ms: " + log());
  }

  private String log() {
    try {
      var f = dir.resolve("redis.log");
      return Files.exists(f) ? Files.readString(f) : Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private synchronized void stopQuietly() {
    var p = process;
    if (p == null || !p.isAlive()) return;
    try {
      new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor(2, TimeUnit.SECONDS); // if paused
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      p.destroyForcibly();
    }
  }

  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static String readLine(InputStream in) throws IOException {
    var b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') if (c != '\r') b.append((char) c);
    if (c < 0 && b.length() == 0) throw new IOException("connection closed");
    return b.toString();
  }
}

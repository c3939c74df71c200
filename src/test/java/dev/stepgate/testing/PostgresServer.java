package dev.stepgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Postgres server for tests: Debian's {@code postgresql} binaries, a fresh cluster in a
 * temporary directory (owned by the {@code postgres} user when the tests run as root, since
 * Postgres refuses to run as root), listening on a free loopback port with its unix socket in that
 * directory, password (SCRAM) authentication over TCP. Never skipped: if it cannot start, the test
 * fails with the reason and the server's log. Stopped by {@link #close} (bounded), by a JVM shutdown
 * hook, and, for {@link #shared()}, at the end of the test run.
 */
public final class PostgresServer implements AutoCloseable {
  static final Path BIN = Path.of(System.getProperty("stepgate.test.pgbin", "/usr/lib/postgresql/15/bin"));
  static final long STEP_TIMEOUT_SECONDS = 60;
  public static final String USER = "postgres";

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  private final Path dir;
  private final Path data;
  private final String password;
  private final int port;
  private final Thread hook;
  private final boolean tls;
  private volatile boolean running;

  private PostgresServer(Path dir, String password, int port, boolean tls) {
    this.tls = tls;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.password = password;
    this.port = port;
    this.hook = new Thread(this::stopAndDelete, "postgres-test-server-stop");
  }

  /** Initializes and starts a new server; fails (never skips) with the reason if it cannot. */
  public static PostgresServer start() {
    return start(false);
  }

  /**
   * As {@link #start()}; with {@code tls}, the server also offers TLS (ssl=on, a self-signed
   * certificate for 127.0.0.1 made with openssl, {@link #certificate()}).
   */
  public static PostgresServer start(boolean tls) {
    if (!Files.isExecutable(BIN.resolve("postgres")))
      throw new AssertionError("Postgres is not installed (" + BIN + "/postgres missing): apt-get install postgresql (scripts/test does)");
    Path dir;
    try {
      dir = Files.createTempDirectory("stepgate-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    var server = new PostgresServer(dir, password, freePort(), tls);
    Runtime.getRuntime().addShutdownHook(server.hook);
    try {
      server.init();
      server.startAgain();
      return server;
    } catch (RuntimeException | AssertionError e) {
      server.close();
      throw e;
    }
  }

  /** One server for the whole test run (started on first use, stopped when the run ends). */
  public static synchronized PostgresServer shared() {
    if (shared == null) shared = start();
    return shared;
  }

  /**
   * A JUnit extension that stops {@link #shared()} when the whole run ends (a root-store resource),
   * besides the shutdown hook. Test classes that use the shared server register it.
   */
  public static final class Shared implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      context.getRoot().getStore(ExtensionContext.Namespace.create(PostgresServer.class))
          .getOrComputeIfAbsent("shared", k -> (AutoCloseable) () -> {
            synchronized (PostgresServer.class) {
              if (shared != null) shared.close();
              shared = null;
            }
          });
    }
  }

  private void init() {
    try {
      Files.writeString(dir.resolve("pw"), password + "\n");
      chownToPostgres(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run("initdb", List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-E", "UTF8",
        "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + dir.resolve("pw"), "--no-sync"));
    if (tls)
      run("openssl", List.of("openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-keyout", data.resolve("server.key").toString(), "-out", data.resolve("server.crt").toString()));
  }

  /** The server's self-signed certificate (PEM), when started with TLS. */
  public Path certificate() {
    return data.resolve("server.crt");
  }

  /** Starts the server (again, after {@link #stop}) on the same port and data. */
  public void startAgain() {
    run("pg_ctl start", List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
        "-w", "-t", "30", "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            + (tls ? " -c ssl=on" : ""), "start"));
    running = true;
  }

  /** Stops the server at once, as a crash or an operator's immediate shutdown would (clients see their connections drop). */
  public void stop() {
    run("pg_ctl stop", List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
    running = false;
  }

  /**
   * Sends {@code signal} ({@code STOP}, {@code CONT}) to this server's processes, by id: the
   * postmaster of {@code postmaster.pid} and its children. {@code STOP} makes a hung server: its
   * sockets stay open, nothing answers.
   */
  public void signal(String signal) {
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var pids = new ArrayList<String>();
    pids.add(String.valueOf(pid));
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(String.valueOf(d.pid()))));
    var cmd = new ArrayList<>(List.of("kill", "-" + signal));
    cmd.addAll(pids);
    try {
      var p = new ProcessBuilder(cmd).inheritIO().start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("kill -" + signal + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public int port() {
    return port;
  }

  /** The URL of {@code database} with the superuser's password, as {@code storage.url} takes it. */
  public String url(String database) {
    return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + database;
  }

  /** Creates a new, empty database and returns its URL. */
  public String newDatabase() {
    var name = "stepgate_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    psql("postgres", "CREATE DATABASE " + name);
    return url(name);
  }

  /** The name of the database in a URL {@link #newDatabase} returned. */
  public static String databaseOf(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  /** Runs {@code sql} in {@code database} as the superuser (unix socket) and returns psql's unaligned output. */
  public String psql(String database, String sql) {
    return run("psql", List.of(BIN.resolve("psql").toString(), "-h", dir.toString(), "-p", String.valueOf(port), "-U", USER,
        "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql)).strip();
  }

  private String run(String what, List<String> command) {
    var cmd = new ArrayList<String>();
    if (isRoot()) cmd.addAll(List.of("runuser", "-u", USER, "--"));
    cmd.addAll(command);
    try {
      var out = dir.resolve("out-" + Thread.currentThread().getId() + ".txt");
      var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(what + " did not finish within " + STEP_TIMEOUT_SECONDS + " s" + log());
      }
      var text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      if (p.exitValue() != 0) throw new AssertionError(what + " failed (exit " + p.exitValue() + "): " + text + log());
      return text;
    } catch (IOException e) {
      throw new AssertionError(what + " could not run: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + " interrupted", e);
    }
  }

  private String log() {
    try {
      var log = dir.resolve("log");
      return Files.exists(log) ? "\n--- server log ---\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops the server (bounded) and deletes its directory. */
  @Override
  public void close() {
    stopAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself during shutdown.
    }
  }

  private synchronized void stopAndDelete() {
    if (!Files.exists(dir)) return;
    if (running) {
      try {
        run("pg_ctl stop", List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "20", "stop"));
      } catch (AssertionError e) {
        System.err.println("postgres test server: " + e.getMessage());
      }
      running = false;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("postgres test server: cannot delete " + dir + ": " + e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void chownToPostgres(Path dir) throws IOException {
    if (!isRoot()) return;
    try {
      var p = new ProcessBuilder("chown", "-R", USER + ":", dir.toString()).inheritIO().start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
        throw new AssertionError("cannot hand " + dir + " to the postgres user (is the postgresql package installed?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static int freePort() {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.stepgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers with exactly the bytes a test writes, for what real servers sometimes
 * do and a well-behaved test server never does: answer before the body is in, close mid-response,
 * send 1xx responses, frame a body by closing. It records every request head and the raw bytes of
 * every body it read, and counts connections.
 */
public final class ScriptedUpstream implements AutoCloseable {
  /** Answers one request on {@code conn}, whose head (up to the empty line) is {@code head}. */
  @FunctionalInterface
  public interface Script {
    void answer(Conn conn, String head) throws IOException;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    var t = new Thread(r, "scripted-upstream");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closedByPeer = new AtomicInteger();
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private volatile Script script;

  public ScriptedUpstream(Script script) throws IOException {
    this.script = script;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public void script(Script script) {
    this.script = script;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections the gateway closed (end of stream seen between requests). */
  public int closedByPeer() {
    return closedByPeer.get();
  }

  public List<String> heads() {
    return List.copyOf(heads);
  }

  /** Raw request bodies, as read by {@link Conn#body(String)}. */
  public List<String> bodies() {
    return List.copyOf(bodies);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        var socket = server.accept();
        connections.incrementAndGet();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(20_000);
      var conn = new Conn(socket);
      while (true) {
        var head = conn.head();
        if (head == null) {
          closedByPeer.incrementAndGet();
          return;
        }
        heads.add(head);
        script.answer(conn, head);
        if (conn.closed) return;
      }
    } catch (IOException e) {
      // the gateway went away; nothing to answer
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }

  /** One upstream connection as the script sees it. */
  public final class Conn {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean closed;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** The next request head, or null at the end of the stream. */
    String head() throws IOException {
      var buf = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b;
        try {
          b = in.read();
        } catch (SocketException e) {
          b = -1;
        }
        if (b < 0) return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
        buf.write(b);
        matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
      }
      return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads the body {@code head} announces (Content-Length or chunked, raw) and records it. */
    public String body(String head) throws IOException {
      var lower = head.toLowerCase();
      var raw = new ByteArrayOutputStream();
      int cl = lower.indexOf("\r\ncontent-length:");
      if (cl >= 0) {
        int eol = lower.indexOf("\r\n", cl + 2);
        long n = Long.parseLong(lower.substring(cl + 17, eol).trim());
        for (long i = 0; i < n; i++) raw.write(in.read());
      } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
        // raw until the empty line after the last chunk (and any trailers)
        var last = new StringBuilder();
        while (true) {
          int b = in.read();
          if (b < 0) break;
          raw.write(b);
          last.append((char) b);
          if (last.length() > 7) last.deleteCharAt(0);
          var text = raw.toString(StandardCharsets.ISO_8859_1);
          if (text.endsWith("\r\n\r\n") && (text.startsWith("0\r\n") || text.contains("\r\n0\r\n"))) break;
        }
      }
      var body = raw.toString(StandardCharsets.ISO_8859_1);
      bodies.add(body);
      return body;
    }

    /** Waits until the gateway closes this connection; false if it is still open after {@code millis}. */
    public boolean awaitClose(int millis) throws IOException {
      socket.setSoTimeout(millis);
      try {
        while (in.read() >= 0) { /* discard */ }
        closedByPeer.incrementAndGet();
        return true;
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        closedByPeer.incrementAndGet();
        return true;
      } finally {
        closed = true;
      }
    }

    public void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** A complete {@code 200} with a text body and Content-Length. */
    public void ok(String body) throws IOException {
      write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    }

    public void close() throws IOException {
      closed = true;
      socket.close();
    }
  }
}

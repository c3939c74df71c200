package dev.stepgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends bytes exactly as written (no client normalisation) and reads what comes back until the
 * server closes or goes quiet: the only way to test ambiguous paths and smuggling attempts.
 */
public final class RawHttp {
  private RawHttp() {}

  public static String send(int port, String request) throws IOException {
    return sendFrom("127.0.0.1", port, request);
  }

  /**
   * As {@link #send} from the local address {@code from} (any of 127.0.0.0/8 on Linux): a peer
   * other than 127.0.0.1, for tests of who may call what.
   */
  public static String sendFrom(String from, int port, String request) throws IOException {
    try (var socket = new Socket()) {
      socket.bind(new java.net.InetSocketAddress(from, 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 3000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readAll(socket.getInputStream());
    }
  }

  /** The status code of the first response in {@code response}. */
  public static int status(String response) {
    if (!response.startsWith("HTTP/1.1 ")) throw new AssertionError("no HTTP response: " + response);
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String readAll(InputStream in) throws IOException {
    var out = new ByteArrayOutputStream();
    var buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > 0 && in.available() == 0) {
          try {
            Thread.sleep(150);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (in.available() == 0 && complete(out.toString(StandardCharsets.ISO_8859_1))) break;
        }
      }
    } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
      // the server went quiet or reset: what arrived is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean complete(String s) {
    int end = s.indexOf("\r\n\r\n");
    if (end < 0) return false;
    var head = s.substring(0, end).toLowerCase();
    int cl = head.indexOf("content-length:");
    if (cl < 0) return true;
    int eol = head.indexOf("\r\n", cl);
    int len = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).trim());
    return s.length() - end - 4 >= len;
  }

  /** True once a TCP connect to {@code port} on loopback is refused, within {@code millis}. */
  public static boolean refusedWithin(int port, int millis) throws InterruptedException {
    long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < until) {
      try (var s = new java.net.Socket("127.0.0.1", port)) {
        Thread.sleep(20);
      } catch (java.net.ConnectException refused) {
        return true;
      } catch (java.io.IOException other) {
        Thread.sleep(20);
      }
    }
    return false;
  }
}

package dev.stepgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One kept-alive client connection that sends bytes exactly as written and reads responses one at
 * a time, framed as HTTP/1.1 says (Content-Length, chunked, or until the server closes): for keep-
 * alive, pipelining and framing tests.
 */
public final class RawClient implements AutoCloseable {
  /**
   * One response as received.
   *
   * @param headers names in lower case; a repeated name keeps its last value
   * @param raw the response exactly as it came, head and body
   */
  public record Response(int status, Map<String, String> headers, String body, String raw) {}

  private final Socket socket;
  private final InputStream in;

  public RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  public RawClient send(String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** The next response; {@code head} when it answers a HEAD request (no body follows). */
  public Response read(boolean head) throws IOException {
    var raw = new ByteArrayOutputStream();
    var headText = line(raw);
    if (headText == null) throw new IOException("the connection closed before a response");
    int status = Integer.parseInt(headText.substring(9, 12));
    var headers = new LinkedHashMap<String, String>();
    String l;
    while (!(l = line(raw)).isEmpty()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    var body = new ByteArrayOutputStream();
    boolean noBody = head || status / 100 == 1 || status == 204 || status == 304;
    if (noBody) {
      // nothing
    } else if (headers.containsKey("content-length")) {
      long n = Long.parseLong(headers.get("content-length"));
      for (long i = 0; i < n; i++) body.write(next(raw));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        var size = line(raw);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (!line(raw).isEmpty()) { /* trailers */ }
          break;
        }
        for (int i = 0; i < n; i++) body.write(next(raw));
        line(raw);
      }
    } else {
      int b;
      while ((b = in.read()) >= 0) {
        raw.write(b);
        body.write(b);
      }
    }
    return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1), raw.toString(StandardCharsets.ISO_8859_1));
  }

  public Response read() throws IOException {
    return read(false);
  }

  /** True when the server closes the connection within {@code millis} with nothing more sent. */
  public boolean closedWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  private int next(ByteArrayOutputStream raw) throws IOException {
    int b = in.read();
    if (b < 0) throw new IOException("the connection closed mid-response");
    raw.write(b);
    return b;
  }

  private String line(ByteArrayOutputStream raw) throws IOException {
    var sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) return sb.length() == 0 ? null : sb.toString();
      raw.write(b);
      if (b == '\n') {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') sb.setLength(sb.length() - 1);
        return sb.toString();
      }
      sb.append((char) b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

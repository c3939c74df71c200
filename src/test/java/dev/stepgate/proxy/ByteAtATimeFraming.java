package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The byte-at-a-time scanner that {@link StrictFraming} was until it read a line at a time, kept in
 * tests as the reference model: {@code StrictFramingDifferentialTest} feeds both the same
 * generated heads, bodies and splits and requires the same bytes passed and the same refusals.
 *
 * <p>Original description: reads the raw bytes of an HTTP/1.x connection ahead of Netty's request decoder and refuses
 * framing that Netty would silently repair: obs-fold header lines (RFC 9112 §5.2), Content-Length
 * together with Transfer-Encoding (§6.1), and the other ambiguities this scanner cannot frame
 * exactly as Netty does (several or malformed Content-Length, Transfer-Encoding other than
 * {@code chunked}, whitespace before a colon, bare CR, bad chunk lines). A refused head gets a
 * complete 400 problem response written here and the connection is closed; its bytes are never
 * passed on, so Netty never sees the end of that head and nothing reaches the upstream.
 *
 * <p>Every other byte passes through unchanged as the same buffer; bodies are skipped by count,
 * never copied or held. Only the current line is kept, at most {@value #KEEP} characters of it.
 * Scanning stops, and the handler leaves the pipeline, once Vert.x has removed its HTTP decoder
 * (WebSocket upgrade, {@code toNetSocket}); an {@code Upgrade} request that is answered normally
 * keeps the connection scanned, so it cannot be used to slip an unchecked request past.
 *
 * <p>Known limit: a refusal closes the connection at once, so responses still owed to earlier
 * pipelined requests on that connection are cut short.
 */
final class ByteAtATimeFraming extends ChannelInboundHandlerAdapter {
  /** Vert.x 5's name for its {@code HttpRequestDecoder} (HttpServerConnectionInitializer). */
  static final String DECODER = StrictFraming.DECODER;
  static final String NAME = "referenceFraming";
  private static final int KEEP = 256; // longer than any name we compare, or any sane CL/TE value
  private static final String TOO_LARGE = "a header section that is too large";

  private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, CLOSED }

  private final int maxSectionBytes;
  private final StringBuilder line = new StringBuilder();
  private State state = State.HEAD;
  private int lineLength;
  private int sectionBytes;
  private boolean pendingCr;
  private boolean requestLineSeen;
  private int lengths;
  private int encodings;
  private String lengthValue;
  private String encodingValue;
  private long remaining;
  /** The latest byte ended a message: where the next one starts. */
  private boolean messageEnded;
  private String refusal;
  private final ByteProcessor scanner = this::scan;

  /** {@code maxSectionBytes} bounds a request head (request line and fields) or trailer section. */
  ByteAtATimeFraming(int maxSectionBytes) {
    if (maxSectionBytes < 1) throw new IllegalArgumentException("maxSectionBytes must be positive");
    this.maxSectionBytes = maxSectionBytes;
  }

  /**
   * Installs a scanner in front of the HTTP/1.x decoder of {@code connection}; for HTTP/2 (ALPN
   * h2) there is no such decoder and nothing is installed. Must run in the server's connection
   * handler, which Vert.x calls on the event loop before the connection's first read.
   */
  public static void install(HttpConnection connection, HttpServerOptions options) {
    if (!(connection instanceof HttpServerConnection internal)) {
      connection.close(); // fail closed if Vert.x internals ever change shape
      throw new IllegalStateException("cannot reach the Netty pipeline of " + connection.getClass().getName());
    }
    var pipeline = internal.channelHandlerContext().pipeline();
    // Netty counts header bytes without line ends, so a head may take twice the configured size here
    int limit = options.getMaxInitialLineLength() + 2 * options.getMaxHeaderSize() + 4;
    if (pipeline.get(DECODER) != null) pipeline.addBefore(DECODER, NAME, new ByteAtATimeFraming(limit));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.CLOSED) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (ctx.pipeline().context(DECODER) == null) { // the connection speaks another protocol now
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(buf);
      return;
    }
    int messageStart = buf.readerIndex(); // bytes before it belong to messages already accepted
    refusal = null;
    for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end && refusal == null; ) {
      if (state == State.BODY || state == State.CHUNK_DATA) {
        int n = (int) Math.min(remaining, end - i);
        i += n;
        remaining -= n;
        if (remaining == 0) {
          if (state == State.BODY) endMessage();
          else enter(State.CHUNK_END);
        }
      } else {
        // Lines byte by byte, without a bounds and reference-count check per byte, until a body
        // is to be skipped, a message ended or a refusal.
        int stop = buf.forEachByte(i, end - i, scanner);
        i = stop < 0 ? end : stop + 1;
      }
      if (messageEnded) {
        messageEnded = false;
        messageStart = i;
      }
    }
    if (refusal == null) {
      ctx.fireChannelRead(buf);
      return;
    }
    boolean inHead = state == State.HEAD;
    state = State.CLOSED;
    buf.writerIndex(messageStart);
    if (buf.isReadable()) ctx.fireChannelRead(buf);
    else buf.release();
    if (inHead) answer(ctx, refusal);
    else ctx.close(); // mid-body: a response may already be on its way, so no answer can be framed
  }

  /** Feeds {@link #onByte}; stops the scan where the loop in {@link #channelRead} must take over. */
  private boolean scan(byte b) {
    refusal = onByte(b);
    return refusal == null && !messageEnded && state != State.BODY && state != State.CHUNK_DATA;
  }

  private String onByte(byte b) {
    if (++sectionBytes > maxSectionBytes) return TOO_LARGE;
    if (pendingCr) {
      pendingCr = false;
      // RFC 9112 §2.2: a bare CR is invalid; refusing it is the safe choice of the two allowed
      return b == '\n' ? endOfLine() : "a bare CR";
    }
    if (b == '\r') pendingCr = true;
    else if (b == '\n') return "a bare LF"; // §2.2 lets a recipient accept it; Netty 4.2 does not
    else {
      if (line.length() < KEEP) line.append((char) (b & 0xff));
      lineLength++;
    }
    return null;
  }

  private String endOfLine() {
    String refusal = switch (state) {
      case HEAD -> onHeadLine();
      case CHUNK_SIZE -> onChunkSizeLine();
      case CHUNK_END -> lineLength == 0 ? enter(State.CHUNK_SIZE) : "chunk data longer than its chunk size";
      case TRAILERS -> lineLength == 0 ? endMessage() : onFieldLine(false);
      default -> throw new IllegalStateException(state.name());
    };
    line.setLength(0);
    lineLength = 0;
    return refusal;
  }

  private String onHeadLine() {
    if (!requestLineSeen) {
      requestLineSeen = lineLength > 0; // RFC 9112 §2.2: empty lines before the request-line are ignored
      return null;
    }
    return lineLength == 0 ? endOfHead() : onFieldLine(true);
  }

  private String onFieldLine(boolean inHead) {
    char first = line.charAt(0);
    // RFC 9112 §5.2: obs-fold is refused with 400 (§2.2 likewise for whitespace after the start-line)
    if (first == ' ' || first == '\t') return "an obs-fold header line";
    int colon = line.indexOf(":");
    if (colon <= 0) return "a malformed header line";
    for (int k = 0; k < colon; k++) {
      char c = line.charAt(k);
      if (c == ' ' || c == '\t') return "whitespace in a header name"; // RFC 9112 §5.1: MUST reject
    }
    if (!inHead) return null;
    if (isName(colon, "content-length")) {
      lengths++;
      lengthValue = value(colon);
    } else if (isName(colon, "transfer-encoding")) {
      encodings++;
      encodingValue = value(colon);
    }
    return null;
  }

  /** True when the current line's name (before {@code colon}) is {@code lowerCaseName}, in any case. */
  private boolean isName(int colon, String lowerCaseName) {
    if (colon != lowerCaseName.length()) return false;
    for (int k = 0; k < colon; k++)
      if (Character.toLowerCase(line.charAt(k)) != lowerCaseName.charAt(k)) return false;
    return true;
  }

  /** The current line's value after {@code colon}, trimmed; null when the line was longer than kept. */
  private String value(int colon) {
    return lineLength > KEEP ? null : ows(line.substring(colon + 1));
  }

  /** RFC 9112 §6.1 and §6.3: exactly one unambiguous way to find where the body ends, or refuse. */
  private String endOfHead() {
    if (lengths > 0 && encodings > 0) return "both Content-Length and Transfer-Encoding";
    if (lengths > 1) return "more than one Content-Length";
    if (encodings > 1) return "more than one Transfer-Encoding";
    if (encodings == 1) {
      if (!"chunked".equalsIgnoreCase(encodingValue)) return "a Transfer-Encoding other than chunked";
      return enter(State.CHUNK_SIZE);
    }
    if (lengths == 1) {
      if (lengthValue == null || !lengthValue.matches("\\d{1,18}")) return "a malformed Content-Length";
      remaining = Long.parseLong(lengthValue);
      return remaining > 0 ? enter(State.BODY) : endMessage();
    }
    return endMessage(); // §6.3 rule 7: a request with neither has no body
  }

  /** RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, where chunk-ext starts with BWS ";". */
  private String onChunkSizeLine() {
    int n = 0;
    while (n < line.length() && line.charAt(n) < 0x80 && Character.digit(line.charAt(n), 16) >= 0) n++;
    int k = n;
    while (k < line.length() && (line.charAt(k) == ' ' || line.charAt(k) == '\t')) k++;
    if (n == 0 || n > 15 || (k < lineLength && (k >= line.length() || line.charAt(k) != ';')))
      return "a malformed chunk size";
    remaining = Long.parseLong(line.substring(0, n), 16);
    return enter(remaining == 0 ? State.TRAILERS : State.CHUNK_DATA); // §7.1.2: trailers follow the last chunk
  }

  /** RFC 9110 §5.5: a field value is trimmed of SP and HTAB only. */
  private static String ows(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) from++;
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) to--;
    return s.substring(from, to);
  }

  private String enter(State next) {
    state = next;
    sectionBytes = 0;
    return null;
  }

  private String endMessage() {
    messageEnded = true;
    requestLineSeen = false;
    lengths = 0;
    encodings = 0;
    lengthValue = null;
    encodingValue = null;
    return enter(State.HEAD);
  }

  private static void answer(ChannelHandlerContext ctx, String refusal) {
    boolean large = refusal.equals(TOO_LARGE);
    int status = large ? 431 : 400;
    var body = Responder.json(Problems.rejected(large ? "headers-too-large" : "bad-framing", status,
        "The request has " + refusal + ".")).encode();
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    var head = "HTTP/1.1 " + status + (large ? " Request Header Fields Too Large" : " Bad Request") + "\r\n"
        + "Content-Type: application/problem+json\r\nCache-Control: no-store\r\nConnection: close\r\n"
        + "Content-Length: " + bytes.length + "\r\n\r\n";
    var response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}

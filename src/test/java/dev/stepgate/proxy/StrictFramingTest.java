package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner in an {@link EmbeddedChannel}, with a stand-in for Vert.x's decoder behind it: what
 * is passed on (byte for byte), what is answered, and that every buffer is released exactly once.
 */
class StrictFramingTest {
  private static final String GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  private static final String POST = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  private static final String CHUNKED = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "5;ext=\"q\"\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n";
  private static final String CL_TE = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  private static final String OBS_FOLD = "GET /x HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n Transfer-Encoding: chunked\r\n\r\n";

  private EmbeddedChannel channel;
  private final List<ByteBuf> fed = new ArrayList<>();

  @BeforeEach
  void open() {
    channel = new EmbeddedChannel();
    channel.pipeline().addLast(StrictFraming.NAME, new StrictFraming(8192));
    channel.pipeline().addLast(StrictFraming.DECODER, new ChannelInboundHandlerAdapter());
  }

  @AfterEach
  void everyBufferReleasedOnce() {
    channel.finishAndReleaseAll();
    for (var buf : fed) assertEquals(0, buf.refCnt(), "a buffer fed in was not released");
  }

  private void feed(String s) {
    var buf = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    fed.add(buf);
    channel.writeInbound(buf);
  }

  private void feedByteByByte(String s) {
    for (int i = 0; i < s.length() && channel.isOpen(); i++) feed(s.substring(i, i + 1));
  }

  /** Everything passed on to the decoder so far, in order. */
  private String passed() {
    var out = new StringBuilder();
    for (ByteBuf buf; (buf = channel.readInbound()) != null; buf.release()) out.append(buf.toString(StandardCharsets.ISO_8859_1));
    return out.toString();
  }

  private String answered() {
    var out = new StringBuilder();
    for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) out.append(buf.toString(StandardCharsets.ISO_8859_1));
    return out.toString();
  }

  private void assertRefused(String detail) {
    var response = answered();
    assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
    assertTrue(response.contains("\r\nContent-Type: application/problem+json\r\n"), response);
    assertTrue(response.contains("\r\nConnection: close\r\n"), response);
    var body = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertEquals("urn:stepgate:problem:bad-framing", body.getString("type"));
    assertEquals("Bad request", body.getString("title"));
    assertEquals(400, body.getInteger("status"));
    assertEquals("The request has " + detail + ".", body.getString("detail"));
    assertFalse(channel.isOpen());
  }

  private void assertPassedUntouched(String input) {
    assertEquals(input, passed());
    assertEquals("", answered());
    assertTrue(channel.isOpen());
  }

  @Test
  void strictFraming_cleanGet_isPassedUntouched() {
    feed(GET);
    assertPassedUntouched(GET);
  }

  @Test
  void strictFraming_postWithContentLength_isPassedUntouched() {
    feed(POST + GET);
    assertPassedUntouched(POST + GET);
  }

  @Test
  void strictFraming_chunkedPostWithTrailers_isPassedUntouched() {
    feed(CHUNKED + GET);
    assertPassedUntouched(CHUNKED + GET);
  }

  @Test
  void strictFraming_pipelinedRequestsInOneRead_arePassedUntouched() {
    var all = "\r\n" + GET + POST + CHUNKED + GET + "HEAD /h HTTP/1.0\r\nHost: x\r\n\r\n";
    feed(all);
    assertPassedUntouched(all);
  }

  @Test
  void strictFraming_everyByteSplit_isPassedUntouched() {
    var all = GET + POST + CHUNKED + GET;
    feedByteByByte(all);
    assertPassedUntouched(all);
  }

  @Test
  void strictFraming_bodyBuffer_isPassedAsTheSameBuffer() {
    feed("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
    passed();
    var body = Unpooled.buffer(65536).writeZero(65536);
    fed.add(body);
    channel.writeInbound(body);
    ByteBuf out = channel.readInbound();
    assertSame(body, out);
    out.release();
  }

  @Test
  void strictFraming_bodyBytesThatLookLikeAHead_areNotScanned() {
    var body = "x\r\n Folded: y\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    var all = "POST /b HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body + GET;
    feed(all);
    assertPassedUntouched(all);
  }

  @Test
  void strictFraming_obsFold_isRefusedAndNothingPassed() {
    feed(OBS_FOLD);
    assertEquals("", passed());
    assertRefused("an obs-fold header line");
  }

  @Test
  void strictFraming_obsFoldWithTab_everyByteSplit_isRefused() {
    feedByteByByte("GET /x HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n");
    assertRefused("an obs-fold header line");
    assertNull(channel.readOutbound());
  }

  @Test
  void strictFraming_contentLengthWithTransferEncoding_isRefusedAndNothingPassed() {
    feed(CL_TE);
    assertEquals("", passed());
    assertRefused("both Content-Length and Transfer-Encoding");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "transfer-encoding: chunked\r\ncontent-length: 4\r\n",
      "TRANSFER-ENCODING: chunked\r\nCONTENT-LENGTH: 4\r\n",
      "Content-length: 0\r\nX-Between: 1\r\ntransfer-Encoding: chunked\r\n"})
  void strictFraming_contentLengthWithTransferEncoding_isRefusedInAnyOrderAndCase(String fields) {
    feedByteByByte("POST /x HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n0\r\n\r\n");
    assertRefused("both Content-Length and Transfer-Encoding");
  }

  @Test
  void strictFraming_refusalAfterPipelinedRequests_passesOnlyTheEarlierRequests() {
    feed(GET + POST + CL_TE);
    assertEquals(GET + POST, passed());
    assertRefused("both Content-Length and Transfer-Encoding");
  }

  @Test
  void strictFraming_bytesReadWhileTheAnswerIsStillBeingWritten_areReleasedNotPassed() {
    var slowWrite = new ChannelPromise[1];
    channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        slowWrite[0] = promise; // the close waits for this write
      }
    });
    feed(OBS_FOLD);
    assertTrue(channel.isOpen());
    feed(GET);
    assertEquals("", passed());
    slowWrite[0].setSuccess();
    assertFalse(channel.isOpen());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Content-Length: 3\r\nContent-Length: 3\r\n|more than one Content-Length",
      "Content-Length: 0x3\r\n|a malformed Content-Length",
      "Content-Length: 3, 3\r\n|a malformed Content-Length",
      "Transfer-Encoding: gzip, chunked\r\n|a Transfer-Encoding other than chunked",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n|more than one Transfer-Encoding",
      "Content-Length : 3\r\n|whitespace in a header name",
      "No-Colon\r\n|a malformed header line",
      "X-A: a\rb\r\n|a bare CR",
      "X-A: a\n|a bare LF"})
  void strictFraming_otherAmbiguousHeads_areRefused(String fieldsAndDetail) {
    var parts = fieldsAndDetail.split("\\|");
    feed("POST /x HTTP/1.1\r\nHost: x\r\n" + parts[0] + "\r\nabc");
    assertEquals("", passed());
    assertRefused(parts[1]);
  }

  @Test
  void strictFraming_bareCrOpeningARequest_isRefusedAndNothingOfItPassed() {
    feed(GET + "\rGET /x HTTP/1.1\r\n\r\n");
    assertEquals(GET, passed());
    assertRefused("a bare CR");
  }

  @Test
  void strictFraming_badChunkDelimiter_closesWithoutAnAnswer() {
    feed("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n");
    assertEquals("", passed());
    assertEquals("", answered());
    assertFalse(channel.isOpen());
  }

  @Test
  void strictFraming_oversizedHead_is431() {
    feed("GET / HTTP/1.1\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");
    assertEquals("", passed());
    assertTrue(answered().startsWith("HTTP/1.1 431 "));
    assertFalse(channel.isOpen());
  }

  @Test
  void strictFraming_upgradeTaken_stopsScanning() {
    var upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    feed(upgrade);
    channel.pipeline().remove(StrictFraming.DECODER); // as Vert.x does on a WebSocket handshake or toNetSocket
    var frames = "\u0081\u0085 \r\n Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n";
    feed(frames);
    assertPassedUntouched(upgrade + frames);
    assertNull(channel.pipeline().get(StrictFraming.NAME));
  }

  @Test
  void strictFraming_upgradeNotTaken_keepsScanning() {
    var upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    feed(upgrade + CL_TE);
    assertEquals(upgrade, passed());
    assertRefused("both Content-Length and Transfer-Encoding");
  }
}

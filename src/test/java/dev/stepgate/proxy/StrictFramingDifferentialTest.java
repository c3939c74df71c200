package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictFraming} (a line at a time) against {@link ByteAtATimeFraming} (the scanner it
 * replaced, byte by byte): generated streams of heads, bodies, chunks and broken framing, cut into
 * random buffers, must pass the same bytes on, get the same answer and leave the connection in the
 * same state. Seeded, so a failure names a case that can be run again.
 */
class StrictFramingDifferentialTest {
  private static final String[] REQUEST_LINES = {"GET / HTTP/1.1", "POST /x HTTP/1.1", "PUT /a?b=c HTTP/1.1", "", " GET / HTTP/1.1"};
  private static final String[] NAMES = {"Host", "Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding",
      "transfer-encoding", "X-A", "Cookie", " X-Fold", "\tX-Fold", "Bad Name", "Bad\tName", "NoColon", "", "Content-Length ",
      "Transfer-Encoding\t", "Content-Lengthx", "Ünïcode"};
  private static final String[] VALUES = {"x", "5", "0", " 3 ", "\t4\t", "chunked", "Chunked", "gzip", "chunked, gzip", "", "-1",
      "99999999999999999999", "1e3", "12345678901234567", "a:b", "v\u00e9"};
  private static final String[] ENDINGS = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\rx", "\r\r\n"};
  private static final String[] BODIES = {"", "hello", "5\r\nhello\r\n0\r\n\r\n", "3;ext=\"q\"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
      "zz\r\n", "5\r\nhelloX\r\n", "0\r\n\r\n", "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n", "3 ; e\r\nabc\r\n0\r\n\r\n",
      "0\r\nBad Trailer: 1\r\n\r\n", "0\r\n Fold: 1\r\n\r\n", "10000000000000000\r\n"};

  @Test
  void sameBytesPassed_sameAnswers_onGeneratedStreams() {
    var random = new Random(20261203L);
    for (int n = 0; n < 20_000; n++) {
      long seed = random.nextLong();
      var stream = stream(new Random(seed));
      int limit = new Random(seed).nextBoolean() ? 8192 : 40 + new Random(seed ^ 7).nextInt(200);
      var cuts = cuts(new Random(seed ^ 99), stream.length());
      assertEquals(run(new ByteAtATimeFraming(limit), stream, cuts), run(new StrictFraming(limit), stream, cuts),
          "case " + n + " (seed " + seed + ", limit " + limit + ", cuts " + cuts + "): " + printable(stream));
    }
  }

  private static String stream(Random r) {
    var out = new StringBuilder();
    int messages = 1 + r.nextInt(3);
    for (int m = 0; m < messages; m++) {
      if (r.nextInt(8) == 0) out.append("\r\n"); // an empty line before the request line
      out.append(pick(r, REQUEST_LINES)).append(ending(r));
      int fields = r.nextInt(5);
      for (int f = 0; f < fields; f++) {
        if (r.nextInt(20) == 0) {
          out.append("X-Long: ").append("v".repeat(200 + r.nextInt(200))).append(ending(r));
          continue;
        }
        if (r.nextInt(25) == 0) out.append("Content-Length".repeat(20)).append(": 1").append(ending(r));
        out.append(pick(r, NAMES)).append(r.nextInt(10) == 0 ? "" : ":").append(r.nextBoolean() ? " " : "")
            .append(pick(r, VALUES)).append(ending(r));
      }
      out.append(ending(r));
      out.append(pick(r, BODIES));
    }
    if (r.nextInt(10) == 0) {
      for (int k = 0, len = r.nextInt(40); k < len; k++) out.append((char) r.nextInt(256)); // noise
    }
    return out.toString();
  }

  private static String ending(Random r) {
    return r.nextInt(4) == 0 ? pick(r, ENDINGS) : "\r\n";
  }

  private static String pick(Random r, String[] options) {
    return options[r.nextInt(options.length)];
  }

  private static List<Integer> cuts(Random r, int length) {
    var cuts = new ArrayList<Integer>();
    int mode = r.nextInt(3);
    for (int at = 0; at < length; ) {
      int step = switch (mode) {
        case 0 -> length; // one read
        case 1 -> 1 + r.nextInt(3); // tiny reads
        default -> 1 + r.nextInt(40);
      };
      at = Math.min(length, at + step);
      cuts.add(at);
    }
    return cuts;
  }

  /** What the scanner passed on, what it answered, and whether the connection is open, after feeding the stream. */
  private static String run(ChannelHandler scanner, String stream, List<Integer> cuts) {
    var channel = new EmbeddedChannel();
    channel.pipeline().addLast("scanner", scanner);
    channel.pipeline().addLast(StrictFraming.DECODER, new ChannelInboundHandlerAdapter());
    int from = 0;
    for (int to : cuts) {
      if (!channel.isOpen()) break;
      try {
        channel.writeInbound(Unpooled.copiedBuffer(stream.substring(from, to), StandardCharsets.ISO_8859_1));
      } catch (Exception closed) {
        break; // the write that made the scanner refuse and close
      }
      from = to;
    }
    var passed = new StringBuilder();
    for (ByteBuf buf; (buf = channel.readInbound()) != null; buf.release()) passed.append(buf.toString(StandardCharsets.ISO_8859_1));
    var answered = new StringBuilder();
    for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) answered.append(buf.toString(StandardCharsets.ISO_8859_1));
    boolean open = channel.isOpen();
    channel.finishAndReleaseAll();
    return "passed=" + printable(passed.toString()) + "\nanswered=" + printable(answered.toString()) + "\nopen=" + open;
  }

  private static String printable(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
  }
}

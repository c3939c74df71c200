package dev.stepgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of {@link StrictFraming}'s scan of one request head arriving in one read, before Netty's
 * decoder sees it: wrk's 70-byte signed-in head ({@code wrk}) and a browser's 1.2 KB head with
 * app cookies ({@code browser}). The handler after it releases what it gets, so the number is the
 * scan plus one pass through an EmbeddedChannel pipeline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StrictFramingBenchmark {
  static final String WRK = "GET /app/hello HTTP/1.1\r\nHost: localhost:8080\r\n"
      + "Cookie: stepgate=Z6mPy0cg-fF_abcdefghijklmnopqrstuvwxyz01234\r\n\r\n";
  static final String BROWSER = "GET /account/settings?tab=security HTTP/1.1\r\n"
      + "Host: app.example.com\r\n"
      + "Connection: keep-alive\r\n"
      + "sec-ch-ua: \"Chromium\";v=\"156\", \"Not.A/Brand\";v=\"99\"\r\n"
      + "sec-ch-ua-mobile: ?0\r\n"
      + "sec-ch-ua-platform: \"Linux\"\r\n"
      + "Upgrade-Insecure-Requests: 1\r\n"
      + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n"
      + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8\r\n"
      + "Sec-Fetch-Site: same-origin\r\n"
      + "Sec-Fetch-Mode: navigate\r\n"
      + "Sec-Fetch-User: ?1\r\n"
      + "Sec-Fetch-Dest: document\r\n"
      + "Referer: https://app.example.com/account\r\n"
      + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
      + "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n"
      + "Cookie: _ga=GA1.1.1234567890.1700000000; _ga_ABCDEF1234=GS1.1.1700000000.1.1.1700000100.0.0.0; "
      + "JSESSIONID=8F3A1C2B9D7E6F5A4B3C2D1E0F9A8B7C; csrftoken=q9X2mLk8Pz3Rt7Vw1Yb5Nc4Hd6Jf0GsQ9X2mLk8Pz3Rt7Vw; "
      + "lang=en-GB; theme=dark; stepgate=Z6mPy0cg-fF_abcdefghijklmnopqrstuvwxyz01234\r\n\r\n";

  @Param({"wrk", "browser"})
  String head;

  private EmbeddedChannel channel;
  private ByteBuf bytes;

  @Setup
  public void setUp() {
    channel = new EmbeddedChannel();
    channel.pipeline().addLast(StrictFraming.NAME, new StrictFraming(64 * 1024));
    channel.pipeline().addLast(StrictFraming.DECODER, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ((ByteBuf) msg).release();
      }
    });
    var text = head.equals("wrk") ? WRK : BROWSER;
    bytes = Unpooled.unreleasableBuffer(Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
  }

  @Benchmark
  public void scanOneHead() {
    channel.pipeline().fireChannelRead(bytes.duplicate().readerIndex(0));
  }
}

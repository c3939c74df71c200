package dev.stepgate.bench;

import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.session.SessionCookie;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of keeping the gateway's session cookie from the app, on every proxied request: {@link
 * SessionCookie#removeFrom} alone, and the whole {@link HeaderHygiene#forUpstream} pass over a
 * browser's request headers that it is part of. Cookie headers: five app cookies and no gateway
 * cookie ({@code none}), the gateway's cookie alone ({@code gateway-only}), and the gateway's
 * cookie among the five ({@code gateway-among-5}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CookieFilterBenchmark {
  static final String SESSION = "stepgate=Z6mPy0cg-fF_abcdefghijklmnopqrstuvwxyz01234";
  static final String APP_COOKIES = "_ga=GA1.1.1234567890.1700000000; JSESSIONID=8F3A1C2B9D7E6F5A4B3C2D1E0F9A8B7C; "
      + "csrftoken=q9X2mLk8Pz3Rt7Vw1Yb5Nc4Hd6Jf0Gs; lang=en-GB; theme=dark";

  @Param({"none", "gateway-only", "gateway-among-5"})
  String cookies;

  private SessionCookie cookie;
  private HeaderHygiene hygiene;
  private String header;
  private MultiMap request;

  @Setup
  public void setUp() {
    cookie = new SessionCookie(false);
    hygiene = new HeaderHygiene(List.of(), cookie);
    header = switch (cookies) {
      case "none" -> APP_COOKIES;
      case "gateway-only" -> SESSION;
      case "gateway-among-5" -> "_ga=GA1.1.1234567890.1700000000; JSESSIONID=8F3A1C2B9D7E6F5A4B3C2D1E0F9A8B7C; "
          + SESSION + "; csrftoken=q9X2mLk8Pz3Rt7Vw1Yb5Nc4Hd6Jf0Gs; lang=en-GB; theme=dark";
      default -> throw new IllegalArgumentException(cookies);
    };
    // What Chromium sends for a page navigation, give or take.
    request = MultiMap.caseInsensitiveMultiMap()
        .add("Host", "app.example.com")
        .add("Connection", "keep-alive")
        .add("sec-ch-ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"")
        .add("sec-ch-ua-mobile", "?0")
        .add("sec-ch-ua-platform", "\"Linux\"")
        .add("Upgrade-Insecure-Requests", "1")
        .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
        .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
        .add("Sec-Fetch-Site", "same-origin")
        .add("Sec-Fetch-Mode", "navigate")
        .add("Sec-Fetch-Dest", "document")
        .add("Accept-Encoding", "gzip, deflate, br, zstd")
        .add("Accept-Language", "en-GB,en;q=0.9")
        .add("Cookie", header);
  }

  @Benchmark
  public String removeFrom() {
    return cookie.removeFrom(header);
  }

  @Benchmark
  public MultiMap forUpstream() {
    return hygiene.forUpstream(request, false);
  }
}

package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BrowserTest {
  @Test
  void fromUserAgent_namesTheCommonBrowsers() {
    assertEquals(Browser.CHROME, Browser.fromUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"));
    assertEquals(Browser.EDGE, Browser.fromUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"));
    assertEquals(Browser.FIREFOX, Browser.fromUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"));
    assertEquals(Browser.SAFARI, Browser.fromUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
        + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"));
    assertEquals(Browser.CHROME, Browser.fromUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
        + "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"));
    assertEquals(Browser.SAMSUNG_INTERNET, Browser.fromUserAgent("Mozilla/5.0 (Linux; Android 14; SM-S918B) "
        + "AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"));
    assertEquals(Browser.OPERA, Browser.fromUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0"));
  }

  @Test
  void fromUserAgent_unknownOrMissing_isOther() {
    assertEquals(Browser.OTHER, Browser.fromUserAgent(null));
    assertEquals(Browser.OTHER, Browser.fromUserAgent(""));
    assertEquals(Browser.OTHER, Browser.fromUserAgent("curl/8.5.0"));
    assertEquals("Samsung Internet", Browser.SAMSUNG_INTERNET.displayName());
    assertEquals("macOS", Platform.MACOS.displayName());
  }
}

package dev.stepgate.proxy;

import java.net.URI;

/**
 * Where the upstream is, read once from its configured URL for every way of reaching it (the
 * relay, Vert.x's client, WebSockets).
 *
 * @param host the host to connect to (an IPv6 literal without brackets)
 * @param port the port, the scheme's default when the URL names none
 * @param ssl whether the upstream speaks https
 * @param pathPrefix the URL's path without a trailing slash, put before every forwarded path
 * @param authority {@code host[:port]} as sent in {@code Host} (port left out when default)
 */
record UpstreamAddress(String host, int port, boolean ssl, String pathPrefix, String authority) {

  static UpstreamAddress of(URI upstream) {
    boolean ssl = "https".equals(upstream.getScheme());
    int defaultPort = ssl ? 443 : 80;
    int port = upstream.getPort() != -1 ? upstream.getPort() : defaultPort;
    var uriHost = upstream.getHost();
    var host = uriHost.startsWith("[") && uriHost.endsWith("]") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
    var prefix = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    if (prefix.endsWith("/")) prefix = prefix.substring(0, prefix.length() - 1);
    return new UpstreamAddress(host, port, ssl, prefix, port == defaultPort ? uriHost : uriHost + ":" + port);
  }
}

package dev.stepgate.proxy;

import dev.stepgate.observe.AccessLog;
import dev.stepgate.observe.ProxyLatency;
import dev.stepgate.admission.Admission;
import dev.stepgate.admission.RequestRejected;
import dev.stepgate.config.GatewayConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.HostAndPort;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The relay: admitted HTTP/1.1 exchanges forwarded on the connection's own Netty pipeline, on its
 * own event loop, without Vert.x's request and client objects in between (they cost more CPU per
 * request than the rest of the proxy path together; see bench/RESULTS-proxy.md).
 *
 * <p>A request takes the relay only when the ordinary path ({@link GatewayHandler}) would forward
 * it unchanged: it passes the same framing, target, host and namespace checks, the policy admits
 * it at once ({@link Admission#admitAtOnce}), and there is nothing special about it (HTTP/1.1,
 * no {@code Expect}, no upgrade, body within {@code max_body_size}). Everything else — every
 * refusal, sign-in and step-up answer, held POST, WebSocket, HTTP/1.0 and HTTP/2 — goes on to
 * Vert.x's request path as before, so each check and each refusal still lives in one place.
 */
public final class RelayLane {
  private static final Logger LOG = Logger.getLogger(RelayLane.class.getName());
  static final String NAME = "stepgateRelay";
  /** Vert.x 5's names for its HTTP/1.x decoder and its request handler (HttpServerConnectionInitializer). */
  static final String DECODER = "httpDecoder";
  static final String VERTX_HANDLER = "handler";

  /**
   * Response headers decoded as Vert.x's header map: the relay edits them in place, and Vert.x's
   * response encoder writes that map fastest.
   */
  private static final HttpHeadersFactory VERTX_HEADERS = new HttpHeadersFactory() {
    @Override
    public HttpHeaders newHeaders() {
      return HeadersMultiMap.httpHeaders();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return HeadersMultiMap.httpHeaders();
    }
  };

  private final Set<String> knownHosts;
  private final HeaderHygiene hygiene;
  private final Admission admission;
  private final UpstreamAddress upstream;
  private final long maxBodySize;
  private final Bootstrap bootstrap;
  private final int poolSize;
  private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();
  private final LongAdder relayed = new LongAdder();
  private final ProxyLatency latency;

  private RelayLane(Vertx vertx, GatewayConfig config, Set<String> knownHosts, HeaderHygiene hygiene, Admission admission,
      ProxyLatency latency) {
    this.latency = latency;
    this.knownHosts = Set.copyOf(knownHosts);
    this.hygiene = hygiene;
    this.admission = admission;
    this.upstream = UpstreamAddress.of(config.upstream());
    var proxy = config.proxy();
    this.maxBodySize = proxy.maxBodySize();
    this.poolSize = proxy.poolSize();
    var internal = (VertxInternal) vertx;
    long idleMs = proxy.responseTimeout().toMillis();
    this.bootstrap = new Bootstrap()
        .channelFactory(internal.transport().channelFactory(false))
        .resolver(internal.nameResolver().nettyAddressResolverGroup())
        .remoteAddress(InetSocketAddress.createUnresolved(upstream.host(), upstream.port()))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) proxy.connectTimeout().toMillis())
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(
                new HttpClientCodec(new HttpDecoderConfig().setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(64 * 1024)
                    .setHeadersFactory(VERTX_HEADERS),
                    HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE, HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST),
                // Reader idle: no byte from the upstream for response_timeout (see Exchange.upstreamIdle).
                new IdleStateHandler(idleMs, 0, 0, TimeUnit.MILLISECONDS),
                new UpstreamLink());
          }
        });
  }

  /**
   * The relay for this gateway, or empty when {@code proxy.relay} is off or the upstream is not
   * plain {@code http} (an https upstream is served by Vert.x's client, which holds the TLS
   * settings).
   */
  public static Optional<RelayLane> create(Vertx vertx, GatewayConfig config, Set<String> knownHosts,
      HeaderHygiene hygiene, Admission admission) {
    return create(vertx, config, knownHosts, hygiene, admission, ProxyLatency.NONE);
  }

  /** As above, timing every relayed exchange into {@code latency}. */
  public static Optional<RelayLane> create(Vertx vertx, GatewayConfig config, Set<String> knownHosts,
      HeaderHygiene hygiene, Admission admission, ProxyLatency latency) {
    if (!config.proxy().relay() || !"http".equals(config.upstream().getScheme())) return Optional.empty();
    return Optional.of(new RelayLane(vertx, config, knownHosts, hygiene, admission, latency));
  }

  /**
   * Puts the relay in front of Vert.x's request handler on an HTTP/1.x {@code connection}; an
   * HTTP/2 connection is left alone. Must run in the server's connection handler, on the event
   * loop, before the connection's first read.
   */
  public void install(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection internal)) {
      connection.close(); // fail closed if Vert.x internals ever change shape
      throw new IllegalStateException("cannot reach the Netty pipeline of " + connection.getClass().getName());
    }
    var pipeline = internal.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) == null || pipeline.get(VERTX_HANDLER) == null) return;
    var loop = pipeline.channel().eventLoop();
    var pool = pools.computeIfAbsent(loop, l -> new UpstreamPool(l, bootstrap.clone().group(l), poolSize));
    pipeline.addBefore(VERTX_HANDLER, NAME, new RelayHandler(this, pool));
  }

  /**
   * What a relayed request needs: the request to send upstream, and what its answer depends on.
   *
   * @param upstream the request line and headers for the upstream (body framing included)
   * @param clientHeaders the client's headers, for the shape of an error reply
   * @param keepAlive whether the client keeps the connection open after this exchange
   * @param path the canonical policy path (no query), for the request log
   * @param rule the rule that allowed it
   */
  record Plan(HttpRequest upstream, MultiMap clientHeaders, boolean keepAlive, String path, String rule) {
    boolean head() {
      return upstream.method() == HttpMethod.HEAD;
    }
  }

  /**
   * The plan for relaying {@code req}, from a client at {@code remote} (IP address) over TLS or
   * not; null when the request belongs on Vert.x's request path. Never throws.
   *
   * @param ascii the connection's encoded identity values
   */
  Plan plan(HttpRequest req, String remote, boolean ssl, AsciiValues ascii) {
    try {
      if (!req.decoderResult().isSuccess() || req.protocolVersion() != HttpVersion.HTTP_1_1) return null;
      if (!(req.headers() instanceof MultiMap headers)) return null;
      var method = req.method();
      if (method == HttpMethod.CONNECT || headers.contains(HttpHeaderNames.EXPECT)
          || headers.contains(HttpHeaderNames.UPGRADE)) return null;
      Framing.check(headers, false);
      var hosts = headers.getAll(HttpHeaderNames.HOST);
      if (hosts.size() != 1) return null;
      var authority = HostAndPort.parseAuthority(hosts.get(0), -1);
      if (authority == null) return null;
      var target = RequestTarget.of(req.uri(), authority, knownHosts);
      if (GatewayHandler.isGatewayPath(target)) return null;
      boolean chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
      var length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
      if (maxBodySize > 0 && (chunked || (length != null && Long.parseLong(length.trim()) > maxBodySize))) return null;
      var admitted = admission.admitAtOnce(AdmissionRequests.relayed(method.name(), target,
          headers.get(HttpHeaderNames.COOKIE), remote));
      if (admitted.isEmpty()) return null;

      var out = ForwardingHeaders.of(headers, remote, ssl, authority.toString(), hygiene);
      admitted.get().identity().forEach((name, value) -> out.set(name, ascii.of(value)));
      out.set(HttpHeaderNames.HOST, upstream.authority());
      if (chunked) out.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
      else if (length != null) out.set(HttpHeaderNames.CONTENT_LENGTH, length.trim());
      var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, upstream.pathPrefix() + target.pathAndQuery(), (HttpHeaders) out);
      return new Plan(request, headers, HttpUtil.isKeepAlive(req), target.path().value(), admitted.get().allow().rule());
    } catch (RequestRejected e) {
      return null; // a refusal: the ordinary path decides it again and answers it
    } catch (RuntimeException e) {
      // Unexpected: the ordinary path decides it again (and answers 503 if it fails too).
      LOG.warning("relay could not plan a request (" + e.getClass().getName() + "), request "
          + (req.headers() instanceof MultiMap m ? RequestIds.of(m, remote, hygiene) : RequestIds.generate())
          + ": handed to Vert.x's path");
      return null;
    }
  }

  /**
   * One connection's long identity header values (the signed assertion; a long username, which
   * {@link dev.stepgate.identity.HeaderText} keeps ASCII) kept as bytes, so they are copied, not
   * encoded character by character, into every request: a browser connection carries one session,
   * whose headers come back as the same Strings until the assertion is re-signed.
   */
  static final class AsciiValues {
    private String first;
    private AsciiString firstBytes;
    private String second;
    private AsciiString secondBytes;

    CharSequence of(String value) {
      if (value.length() < 64) return value;
      if (value == first) return firstBytes;
      if (value == second) return secondBytes;
      for (int i = 0; i < value.length(); i++) if (value.charAt(i) >= 0x80) return value; // bytes only for ASCII
      second = first;
      secondBytes = firstBytes;
      first = value;
      firstBytes = new AsciiString(value);
      return firstBytes;
    }
  }

  /** Requests relayed so far (the rest took Vert.x's request path): {@code stepgate_proxy_relayed_total}. */
  public long relayed() {
    return relayed.sum();
  }

  void countRelayed() {
    relayed.increment();
  }

  /** The request line of a relayed exchange (only called when {@link AccessLog#enabled()}). */
  void logRequest(Plan plan, int status, long arrived, String remote) {
    AccessLog.request(plan.upstream().method().name(), plan.path(), status, plan.rule(), "allow", System.nanoTime() - arrived,
        RequestIds.of(plan.clientHeaders(), remote, hygiene));
  }

  ProxyLatency latency() {
    return latency;
  }

  /** The upstream's {@code host[:port]}, for log lines. */
  String upstreamAuthority() {
    return upstream.authority();
  }
}

package dev.stepgate.proxy;

import dev.stepgate.observe.AccessLog;
import dev.stepgate.admission.Problems;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection's relay, between Vert.x's HTTP/1.x codec and Vert.x's request handler.
 * Each request either becomes an {@link Exchange} relayed here or passes on to Vert.x untouched
 * (see {@link RelayLane}). Responses leave in request order: while Vert.x owes responses, later
 * requests pass to Vert.x too; while an exchange is relayed, later (pipelined) requests wait.
 */
final class RelayHandler extends ChannelDuplexHandler {
  private static final Logger LOG = Logger.getLogger(RelayHandler.class.getName());

  private final RelayLane lane;
  private final UpstreamPool pool;
  private ChannelHandlerContext ctx;
  private String remote;
  private boolean ssl;
  private final RelayLane.AsciiValues ascii = new RelayLane.AsciiValues();

  /** Requests passed to Vert.x whose response Vert.x has not finished writing. */
  private int owedByVertx;
  /** The newest request passed to Vert.x is still sending its body. */
  private boolean passingBody;
  /** The exchange relayed now: from its request head until both its request and response ended. */
  private Exchange exchange;
  /** Something went on to Vert.x since this was last reset. */
  private boolean firedToVertx;
  /** What arrived during an exchange after its request (pipelined requests), in order. */
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();

  RelayHandler(RelayLane lane, UpstreamPool pool) {
    this.lane = lane;
    this.pool = pool;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ssl = ctx.pipeline().get(SslHandler.class) != null;
    remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress() : "unknown";
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!waiting.isEmpty() || (exchange != null && msg instanceof HttpRequest)) {
      waiting.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest req) {
      if (owedByVertx == 0 && !passingBody && ctx.pipeline().context(RelayLane.DECODER) != null) {
        long arrived = System.nanoTime();
        var plan = lane.plan(req, remote, ssl, ascii);
        if (plan != null) {
          lane.countRelayed();
          var started = new Exchange(plan, arrived);
          exchange = started;
          started.start();
          if (msg instanceof HttpContent content) started.requestContent(content);
          return;
        }
      }
      owedByVertx++;
      passingBody = !(msg instanceof LastHttpContent);
      toVertx(msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      if (exchange != null) {
        exchange.requestContent(content);
        return;
      }
      if (msg instanceof LastHttpContent) passingBody = false;
    }
    toVertx(msg); // Vert.x's, or no longer HTTP/1.x (after an upgrade Vert.x accepted)
  }

  private void toVertx(Object msg) {
    firedToVertx = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) exchange.flushUpstream();
    ctx.fireChannelReadComplete();
  }

  /** Sees Vert.x's writes: a response's last part means Vert.x owes one response less. */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent && owedByVertx > 0
        && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
      owedByVertx--;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) exchange.clientWritabilityChanged(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropAll();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    dropAll();
  }

  private void dropAll() {
    if (exchange != null) exchange.clientGone();
    exchange = null;
    Object msg;
    while ((msg = waiting.poll()) != null) ReferenceCountUtil.release(msg);
  }

  /** Reads from the client on or off; always off while pipelined requests wait. */
  private void clientReads(boolean on) {
    ctx.channel().config().setAutoRead(on && waiting.isEmpty());
  }

  /** The exchange is over on both sides: take up what waited for it. */
  private void exchangeDone() {
    exchange = null;
    if (waiting.isEmpty()) {
      clientReads(true);
      return;
    }
    firedToVertx = false;
    Object msg;
    // as channelRead: a request waits while an exchange is on; what belongs to the exchange goes to it
    while ((msg = waiting.peek()) != null && !(exchange != null && msg instanceof HttpRequest)) {
      waiting.poll();
      dispatch(msg);
    }
    if (exchange != null) exchange.flushUpstream();
    if (firedToVertx) {
      // Vert.x pauses reads itself (8 requests queued) and expects them on otherwise; it flushes what
      // it wrote at the end of a read, and these messages came after that read.
      ctx.channel().config().setAutoRead(true);
      ctx.fireChannelReadComplete();
    }
    // With an exchange on, Vert.x is idle (it owed nothing when the exchange began), so the relay
    // decides: reads stay off while requests wait, or while the upstream cannot take the body.
    if (exchange != null) clientReads(exchange.takesMore());
    else if (!firedToVertx) clientReads(true);
  }

  /**
   * One request relayed to the upstream and its response relayed back, both streamed with
   * back-pressure (a side that cannot take more stops the other side reading).
   */
  private final class Exchange implements UpstreamPool.Borrower, UpstreamLink.Listener {
    private final RelayLane.Plan plan;
    /** {@link System#nanoTime()} when the request head was read, and when it was written upstream. */
    private final long arrived;
    private long sent;
    private final List<HttpContent> early = new ArrayList<>(2);
    private Channel upstream;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean upstreamKeepAlive;
    /** The response head, until its body or the end of the upstream read sends it. */
    private HttpResponse head;
    /** Inside an informational (1xx) response, which the client does not get. */
    private boolean interim;
    /** Nothing more goes to or comes from the upstream. */
    private boolean over;

    Exchange(RelayLane.Plan plan, long arrived) {
      this.plan = plan;
      this.arrived = arrived;
    }

    void start() {
      pool.borrow(this);
    }

    // --- client side ---------------------------------------------------------------------------

    void requestContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (last) requestDone = true;
      if (over) { // answered already (an error reply, or the upstream did not wait for the body): drop the rest
        content.release();
        if (last && responseDone) exchangeDone();
        return;
      }
      var out = last ? withoutTrailers((LastHttpContent) content) : content;
      if (upstream == null) {
        early.add(out);
        clientReads(false); // until there is somewhere to send it
        return;
      }
      upstream.write(out, upstream.voidPromise());
      if (last) requestSent();
      else if (!upstream.isWritable()) clientReads(false);
    }

    /** True when more from the client is welcome: its request is complete, or the upstream takes the body. */
    boolean takesMore() {
      return requestDone || (upstream != null && upstream.isWritable());
    }

    void flushUpstream() {
      if (upstream != null && !over) upstream.flush();
    }

    void clientWritabilityChanged(boolean writable) {
      if (upstream != null && !over) upstream.config().setAutoRead(writable);
    }

    void clientGone() {
      if (!over) end(false);
    }

    // --- the pool --------------------------------------------------------------------------------

    @Override
    public void lent(Channel ch) {
      if (over) {
        pool.giveBack(ch, true); // nothing was written on it
        return;
      }
      upstream = ch;
      ch.pipeline().get(UpstreamLink.class).listen(this);
      ch.config().setAutoRead(ctx.channel().isWritable());
      ch.write(plan.upstream(), ch.voidPromise());
      for (var c : early) ch.write(c, ch.voidPromise());
      early.clear();
      ch.flush();
      sent = System.nanoTime();
      if (requestDone) requestSent();
      else clientReads(ch.isWritable());
    }

    @Override
    public void failed(Throwable cause) {
      if (over) return;
      LOG.log(Level.WARNING, "upstream request failed: {0}", cause.getClass().getSimpleName()
          + (cause instanceof ConnectException ? " (is the app running at " + lane.upstreamAuthority() + "?)" : ""));
      reply(cause instanceof ConnectTimeoutException ? 504 : 502);
    }

    @Override
    public boolean gone() {
      return over;
    }

    // --- upstream side ---------------------------------------------------------------------------

    @Override
    public void upstreamRead(Object msg) {
      if (over) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse resp) {
        if (!resp.decoderResult().isSuccess()) {
          ReferenceCountUtil.release(msg);
          LOG.warning("upstream request failed: malformed response");
          if (responseStarted) abort();
          else reply(502);
          return;
        }
        if (resp.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          // 1xx (103 Early Hints, a stray 100): nothing this client asked for (no Expect is relayed)
          interim = true;
          ReferenceCountUtil.release(msg);
          return;
        }
        interim = false;
        responseStarted = true;
        lane.latency().exchange(arrived, sent, System.nanoTime());
        if (AccessLog.enabled()) lane.logRequest(plan, resp.status().code(), arrived, remote);
        upstreamKeepAlive = HttpUtil.isKeepAlive(resp);
        // Held until its body: a response that arrives whole leaves as one message (one pass
        // through the client pipeline), see below and upstreamReadComplete.
        head = forClient(resp);
      }
      if (!(msg instanceof HttpContent content)) return;
      if (interim) { // the (empty) end of a 1xx response
        content.release();
        return;
      }
      if (content.decoderResult().isFailure()) { // e.g. a malformed chunk: the body cannot be framed on
        content.release();
        LOG.warning("upstream request failed: malformed response body");
        abort();
        return;
      }
      if (!(content instanceof LastHttpContent last)) {
        writeHead();
        ctx.write(content, ctx.voidPromise());
        if (!ctx.channel().isWritable()) upstream.config().setAutoRead(false);
        return;
      }
      Object end = withoutTrailers(last);
      if (head != null) {
        end = new DefaultFullHttpResponse(head.protocolVersion(), head.status(), last.content(), head.headers(),
            EmptyHttpHeaders.INSTANCE);
        head = null;
      }
      // Flushed now: the upstream connection may be lent to another exchange before this read completes.
      if (plan.keepAlive()) ctx.writeAndFlush(end, ctx.voidPromise());
      else ctx.writeAndFlush(end).addListener(ChannelFutureListener.CLOSE);
      responseDone = true;
      // The upstream may answer before the whole body arrived: then that connection cannot be reused.
      end(upstreamKeepAlive && requestDone);
      if (!plan.keepAlive()) return;
      if (requestDone) exchangeDone();
      else clientReads(true); // read the rest of the request, to drop it
    }

    @Override
    public void upstreamReadComplete() {
      writeHead();
      ctx.flush();
    }

    /** Sends the held response head, if any. */
    private void writeHead() {
      if (head == null) return;
      ctx.write(head, ctx.voidPromise());
      head = null;
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
      if (!requestDone && !over) clientReads(writable);
    }

    @Override
    public void upstreamIdle() {
      // Waiting for the client's body is not the upstream's delay; the client side has its own idle timeout.
      if (over || !requestDone) return;
      if (!responseStarted) {
        LOG.warning("upstream request failed: no response within the response timeout");
        reply(504);
      } else {
        abort(); // the response body stalled: nothing more can be framed for the client
      }
    }

    @Override
    public void upstreamClosed() {
      upstream = null;
      if (over) return;
      if (!responseStarted) {
        LOG.warning("upstream request failed: the app closed the connection before answering");
        reply(502);
      } else {
        abort();
      }
    }

    // --- endings ---------------------------------------------------------------------------------

    private void requestSent() {
      // The response timeout counts from the moment the whole request is with the upstream.
      upstream.pipeline().get(IdleStateHandler.class).resetReadTimeout();
      clientReads(true);
    }

    /** Done with the upstream: its connection goes back to the pool, or closes. */
    private void end(boolean reusable) {
      over = true;
      for (var c : early) c.release();
      early.clear();
      var ch = upstream;
      upstream = null;
      if (ch == null) return;
      ch.pipeline().get(UpstreamLink.class).listen(null);
      ch.config().setAutoRead(true);
      pool.giveBack(ch, reusable);
    }

    /** An error reply in place of the upstream's; the connection closes after it unless the request is complete. */
    private void reply(int status) {
      end(false);
      if (AccessLog.enabled()) lane.logRequest(plan, status, arrived, remote);
      var resp = Responder.relayResponse(plan.clientHeaders(),
          status == 504 ? Problems.UPSTREAM_TIMEOUT : Problems.UPSTREAM_UNAVAILABLE, plan.head());
      boolean keep = requestDone && plan.keepAlive();
      if (!keep) resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      var written = ctx.writeAndFlush(resp);
      if (keep) exchangeDone();
      else written.addListener(ChannelFutureListener.CLOSE);
    }

    /** Past the point where an error can be framed: end both connections. */
    private void abort() {
      end(false);
      ctx.close();
    }

    /** The upstream's response head as the client gets it: hop-by-hop headers removed, framed for this client. */
    private HttpResponse forClient(HttpResponse resp) {
      var headers = resp.headers() instanceof MultiMap m ? m : copy(resp.headers());
      boolean framed = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
      int code = resp.status().code();
      HeaderHygiene.stripForClient(headers);
      if (!framed && !plan.head() && code != 204 && code != 304)
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      if (!plan.keepAlive()) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      if (headers == resp.headers()) {
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
        return resp;
      }
      return new DefaultHttpResponse(HttpVersion.HTTP_1_1, resp.status(), (HttpHeaders) headers);
    }
  }

  private static MultiMap copy(HttpHeaders headers) {
    var copy = MultiMap.caseInsensitiveMultiMap();
    for (var e : headers) copy.add(e.getKey(), e.getValue());
    return copy;
  }

  /** Trailers are dropped both ways, as on Vert.x's path: a client could hide identity headers in them. */
  private static LastHttpContent withoutTrailers(LastHttpContent last) {
    if (last.trailingHeaders().isEmpty()) return last;
    if (!last.content().isReadable()) {
      last.release();
      return LastHttpContent.EMPTY_LAST_CONTENT;
    }
    return new DefaultLastHttpContent(last.content());
  }
}

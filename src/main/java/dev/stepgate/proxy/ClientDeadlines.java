package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.MultiMap;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.x client connection's deadlines, between Vert.x's codec and the relay, so it sees
 * every request and every response of both paths: a request head must arrive within the header
 * timeout (else 408), a body must not go without a byte for the body timeout (else 408, or a close
 * once an answer has begun), and a connection between requests closes after the idle timeout.
 * While the gateway waits for the upstream, no client deadline runs (the upstream has its own).
 *
 * <p>Cheap by construction: one timer per connection, scheduled when a deadline starts and
 * rescheduled only when it would fire too late (a head spread over several reads, an upload);
 * when it fires early it re-arms for what is left, as Netty's IdleStateHandler does. A request
 * whose head arrives in one read costs one {@link System#nanoTime} and no allocation.
 *
 * <p>On shutdown ({@link #drain}) responses carry {@code Connection: close}; a connection closes
 * as soon as it owes nothing, and a close asked for meanwhile (Vert.x's own shutdown does not see
 * relayed exchanges) waits for that, until {@link #force}.
 */
final class ClientDeadlines extends ChannelDuplexHandler {
  static final String NAME = "stepgateDeadlines";

  private enum State {
    /** A new connection, before the first byte: the header timeout counts from its start. */
    FRESH,
    /** Between requests, nothing owed. */
    IDLE,
    /** Part of a request head has arrived. */
    HEAD,
    /** The head is in; the body is still arriving. */
    BODY,
    /** The request is in; a response is owed. */
    WAITING
  }

  private final ClientConnections owner;
  private ChannelHandlerContext ctx;
  private State state = State.FRESH;
  /** When the current deadline started counting (nanoTime). */
  private long since;
  private ScheduledFuture<?> timer;
  private long timerAt;
  private boolean requestOpen;
  private boolean readMessage;
  private long requests;
  private long responsesStarted;
  private long responsesDone;
  private MultiMap lastHeaders;
  private boolean lastHead;
  private boolean draining;
  private ChannelPromise deferredClose;

  ClientDeadlines(ClientConnections owner) {
    this.owner = owner;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    since = System.nanoTime();
    arm(since + owner.headerNanos);
  }

  // --- requests ----------------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) {
      requests++;
      requestOpen = true;
      lastHead = req.method() == HttpMethod.HEAD;
      lastHeaders = req.headers() instanceof MultiMap m ? m : null;
      readMessage = true;
      if (state != State.WAITING) state = State.BODY;
    }
    if (msg instanceof LastHttpContent) {
      requestOpen = false;
      readMessage = true;
      settle();
    } else if (msg instanceof io.netty.handler.codec.http.HttpContent) {
      readMessage = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (state == State.BODY) {
      since = System.nanoTime(); // the body timeout counts from its latest byte
      arm(since + owner.bodyNanos);
    } else if (!readMessage && (state == State.IDLE || state == State.FRESH)) {
      // bytes arrived but no head was complete: a head has begun (a fresh connection's counts from its start)
      if (state == State.IDLE) since = System.nanoTime();
      state = State.HEAD;
      arm(since + owner.headerNanos);
    }
    readMessage = false;
    ctx.fireChannelReadComplete();
  }

  // --- responses ---------------------------------------------------------------------------------

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (!interim) {
      if (msg instanceof HttpResponse r) {
        responsesStarted++;
        if (draining) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (msg instanceof LastHttpContent) {
        responsesDone++;
        if (draining && !requestOpen && responsesDone >= requests) {
          // the last answer owed: close once it is written (a close now would drop what is not flushed yet)
          var written = promise.unvoid();
          ctx.write(msg, written);
          written.addListener(f -> closeNow());
          return;
        }
        ctx.write(msg, promise);
        settle();
        return;
      }
    }
    ctx.write(msg, promise);
  }

  /** After a request or a response ended: between requests now, or waiting for a response. */
  private void settle() {
    if (requestOpen) {
      if (state == State.WAITING && responsesDone >= requests) { // answered before its body ended
        state = State.BODY;
        since = System.nanoTime();
        arm(since + owner.bodyNanos);
      }
      return;
    }
    if (responsesDone < requests) {
      state = State.WAITING;
      return;
    }
    if (draining) {
      closeNow();
      return;
    }
    state = State.IDLE;
    since = System.nanoTime();
    arm(since + owner.idleNanos);
  }

  // --- the timer ---------------------------------------------------------------------------------

  /** Makes sure the timer fires by {@code deadline}; reschedules only when it would fire later. */
  private void arm(long deadline) {
    if (timer != null) {
      if (timerAt <= deadline) return;
      timer.cancel(false);
    }
    timerAt = deadline;
    timer = ctx.executor().schedule(this::due, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void due() {
    timer = null;
    if (!ctx.channel().isActive() || ctx.pipeline().context(RelayLane.DECODER) == null) return; // closed, or upgraded
    long now = System.nanoTime();
    long deadline;
    switch (state) {
      case FRESH, HEAD -> deadline = since + owner.headerNanos;
      case IDLE -> deadline = since + owner.idleNanos;
      case BODY -> deadline = since + owner.bodyNanos;
      default -> {
        return; // WAITING: the upstream's response timeout applies, not the client's
      }
    }
    if (now < deadline) {
      arm(deadline);
      return;
    }
    if ((state == State.HEAD || state == State.BODY) && !ctx.channel().config().isAutoRead()) {
      // the gateway stopped reading (back-pressure): the client is not the slow one
      since = now;
      arm(now + (state == State.BODY ? owner.bodyNanos : owner.headerNanos));
      return;
    }
    switch (state) {
      case FRESH, IDLE -> closeNow(); // nothing was asked: nothing to answer
      case HEAD -> requestTimeout(null, false);
      default -> {
        // 408 only when nothing of an answer is on the wire; else no response can be framed any more
        if (responsesStarted == requests - 1 && responsesDone == requests - 1) requestTimeout(lastHeaders, lastHead);
        else closeNow();
      }
    }
  }

  private void requestTimeout(MultiMap headers, boolean head) {
    var resp = Responder.relayResponse(headers != null ? headers : MultiMap.caseInsensitiveMultiMap(),
        Problems.REQUEST_TIMEOUT, head);
    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    state = State.WAITING; // nothing more is read or timed on this connection
    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
  }

  // --- shutdown ----------------------------------------------------------------------------------

  /** From now on: responses say {@code Connection: close}, and the connection closes once it owes nothing. */
  void drain() {
    draining = true;
    if (state != State.BODY && state != State.WAITING) closeNow();
  }

  /** Closes the connection now, whatever is in flight. */
  void force() {
    draining = false;
    closeNow();
  }

  private void closeNow() {
    var promise = deferredClose;
    deferredClose = null;
    if (timer != null) timer.cancel(false);
    timer = null;
    if (promise != null) ctx.close(promise);
    else ctx.close();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (draining && (state == State.BODY || state == State.WAITING) && ctx.channel().isActive()) {
      // Vert.x's shutdown closes what it thinks idle, relayed exchanges included: they finish first
      if (deferredClose == null) deferredClose = promise;
      else deferredClose.addListener(f -> promise.trySuccess());
      return;
    }
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) timer.cancel(false);
    timer = null;
    ctx.fireChannelInactive();
  }
}

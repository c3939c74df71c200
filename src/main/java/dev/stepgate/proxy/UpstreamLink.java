package dev.stepgate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection's pipeline: hands what the upstream sends to the
 * exchange that borrowed the connection. Anything the upstream sends while the connection is idle
 * in the pool is a protocol error, and closes it.
 */
final class UpstreamLink extends ChannelInboundHandlerAdapter {
  /** The side of an exchange that listens to the upstream. */
  interface Listener {
    void upstreamRead(Object msg);

    void upstreamReadComplete();

    void upstreamWritabilityChanged(boolean writable);

    /** Nothing came from the upstream for the configured response timeout. */
    void upstreamIdle();

    void upstreamClosed();
  }

  private Listener listener;

  void listen(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (listener != null) {
      listener.upstreamRead(msg);
      return;
    }
    ReferenceCountUtil.release(msg);
    ctx.close();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) listener.upstreamReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) listener.upstreamWritabilityChanged(ctx.channel().isWritable());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (listener != null) listener.upstreamIdle();
    else ctx.close(); // idle in the pool for as long as a response may take: let it go
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    var l = listener;
    listener = null;
    if (l != null) l.upstreamClosed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // reported to the exchange as upstreamClosed
  }
}

package dev.stepgate.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * Keep-alive connections to the upstream for the connections of one event loop, used only on that
 * loop (so no locks, and a relayed exchange never changes threads). At most {@code max} are open;
 * past that, callers wait in order for one to come back. The most recently returned idle
 * connection is lent first, so the rest can time out and close.
 */
final class UpstreamPool {
  /** Someone waiting for an upstream connection. */
  interface Borrower {
    void lent(Channel upstream);

    void failed(Throwable cause);

    /** True once the borrower no longer wants a connection (its client went away). */
    boolean gone();
  }

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int max;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Borrower> waiting = new ArrayDeque<>();
  private int open;

  /** {@code bootstrap} is bound to {@code loop} and to the upstream's address. */
  UpstreamPool(EventLoop loop, Bootstrap bootstrap, int max) {
    if (max < 1) throw new IllegalArgumentException("max must be positive");
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.max = max;
  }

  EventLoop loop() {
    return loop;
  }

  /** Lends an idle connection now, or opens one, or queues {@code borrower} until one is free. */
  void borrow(Borrower borrower) {
    assert loop.inEventLoop();
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      if (ch.isActive()) {
        borrower.lent(ch);
        return;
      }
    }
    if (open < max) connect(borrower);
    else waiting.add(borrower);
  }

  /**
   * Takes back {@code upstream}: idle for the next borrower if {@code reusable} (its last exchange
   * ended cleanly and it is still open), else closed.
   */
  void giveBack(Channel upstream, boolean reusable) {
    assert loop.inEventLoop();
    if (!reusable || !upstream.isActive()) {
      upstream.close(); // the close listener frees its slot
      return;
    }
    Borrower next;
    while ((next = waiting.poll()) != null) {
      if (!next.gone()) {
        next.lent(upstream);
        return;
      }
    }
    idle.addFirst(upstream);
  }

  /** Open connections, idle or lent (for tests). */
  int open() {
    return open;
  }

  private void connect(Borrower borrower) {
    open++;
    bootstrap.connect().addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        open--;
        borrower.failed(f.cause());
        // A waiter must not wait for a connection that will never come back: try again for it.
        serveWaiting();
        return;
      }
      var ch = f.channel();
      ch.closeFuture().addListener(c -> closed(ch));
      if (borrower.gone()) giveBack(ch, true);
      else borrower.lent(ch);
    });
  }

  private void closed(Channel ch) {
    open--;
    idle.remove(ch);
    serveWaiting();
  }

  private void serveWaiting() {
    Borrower next;
    while (open < max && (next = waiting.poll()) != null) {
      if (!next.gone()) connect(next);
    }
  }
}

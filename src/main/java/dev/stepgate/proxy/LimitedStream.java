package dev.stepgate.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A request body stream that fails once more than {@code limit} bytes have passed. */
final class LimitedStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final long limit;
  private long seen;
  private Handler<Throwable> exceptionHandler;

  LimitedStream(ReadStream<Buffer> source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
      return this;
    }
    source.handler(buf -> {
      seen += buf.length();
      if (seen > limit) {
        source.handler(null);
        if (exceptionHandler != null) exceptionHandler.handle(new UpstreamForwarder.BodyTooLarge());
        return;
      }
      handler.handle(buf);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    source.endHandler(endHandler);
    return this;
  }
}

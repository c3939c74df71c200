package dev.stepgate.ratelimit;

/** Told of every request a limit refused (metrics). Called on the answering thread; must not block. */
@FunctionalInterface
public interface RateLimitListener {
  RateLimitListener NONE = endpoint -> { };

  void limited(Limiter.Endpoint endpoint);
}

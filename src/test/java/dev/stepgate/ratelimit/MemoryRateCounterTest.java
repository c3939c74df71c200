package dev.stepgate.ratelimit;

class MemoryRateCounterTest extends RateCounterContract {
  @Override
  protected RateCounter counter() {
    return new MemoryRateCounter();
  }
}

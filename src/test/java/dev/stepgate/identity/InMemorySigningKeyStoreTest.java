package dev.stepgate.identity;

/** The test double other tests rely on keeps the same contract as the real backends. */
class InMemorySigningKeyStoreTest extends SigningKeyStoreContract {
  @Override
  protected SigningKeyStore newStore() {
    return new InMemorySigningKeyStore();
  }
}

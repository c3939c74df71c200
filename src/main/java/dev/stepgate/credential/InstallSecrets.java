package dev.stepgate.credential;

import java.util.concurrent.CompletionStage;

/**
 * Random secrets of this installation that are not signing keys and never rotate (the key that
 * derives sign-in decoys), kept with the credentials so that every node and every restart uses
 * the same one. Implemented by each storage backend; a stage fails with {@code
 * storage-unavailable} when the store cannot answer.
 */
public interface InstallSecrets {
  /**
   * The secret named {@code name}: the one stored, or else {@code candidate}, stored now. Of any
   * number of concurrent first calls, on any number of nodes, exactly one candidate is kept and
   * every call answers it.
   */
  CompletionStage<byte[]> getOrCreate(String name, byte[] candidate);
}

package dev.stepgate.credential;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Child process for {@link EmbeddedStoreCrashTest}: writes credentials in a loop and prints
 * {@code committed N} after each commit returns, until it is killed.
 */
public final class StoreWriterMain {
  private StoreWriterMain() {}

  public static void main(String[] args) {
    var store = BlockingStore.open(Path.of(args[0]));
    var user = new User("dXNlcg", "writer", "Writer", Instant.now());
    store.createUser(user);
    System.out.println("committed -1");
    System.out.flush();
    for (int i = 0; ; i++) {
      var id = ByteBuffer.allocate(4).putInt(i).array();
      store.addCredential(new StoredCredential(id, user.id(), new byte[64], i, true, false, false,
          java.util.Set.of(), "k" + i, Instant.now(), Optional.empty(), new java.util.UUID(0, 0)));
      store.recordEvent("registered", Optional.of(user.id()), "n=" + i);
      System.out.println("committed " + i);
      System.out.flush();
    }
  }
}

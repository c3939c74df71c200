package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link InstallSecrets} backend must do (embedded and Postgres). */
public abstract class InstallSecretsContract {
  /** A fresh, empty store; each call of one test opens the same database. */
  protected abstract Storage newStorage();

  private final java.util.List<Storage> opened = new ArrayList<>();

  private InstallSecrets open() {
    var s = newStorage();
    opened.add(s);
    return s.secrets();
  }

  @AfterEach
  void closeAll() {
    opened.forEach(Storage::close);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void getOrCreate_keepsTheFirstCandidate_andAnswersItEveryTime() throws Exception {
    var s = open();
    assertArrayEquals(new byte[] {1, 2, 3}, await(s.getOrCreate("decoys", new byte[] {1, 2, 3})));
    assertArrayEquals(new byte[] {1, 2, 3}, await(s.getOrCreate("decoys", new byte[] {9, 9, 9})));
    assertArrayEquals(new byte[] {7}, await(s.getOrCreate("other", new byte[] {7})));
  }

  @Test
  void getOrCreate_concurrentFirstCalls_allAnswerOneCandidate() throws Exception {
    var s = open();
    var pool = Executors.newFixedThreadPool(8);
    try {
      var go = new CountDownLatch(1);
      var answers = new ArrayList<java.util.concurrent.Future<byte[]>>();
      for (int i = 0; i < 16; i++) {
        byte b = (byte) i;
        answers.add(pool.submit(() -> {
          go.await();
          return await(s.getOrCreate("race", new byte[] {b}));
        }));
      }
      go.countDown();
      var first = answers.get(0).get(10, TimeUnit.SECONDS);
      for (var a : answers) assertArrayEquals(first, a.get(10, TimeUnit.SECONDS));
      assertEquals(1, first.length);
    } finally {
      pool.shutdownNow();
    }
  }
}

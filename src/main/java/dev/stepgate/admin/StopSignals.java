package dev.stepgate.admin;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT stop the gateway gracefully and exit 0. The JVM's own handling of these
 * signals runs shutdown hooks and exits 143 (128 + 15), which orchestrators read as a crash, and
 * gives a hook no say in how long the stop may take; so the signals are taken over here.
 */
final class StopSignals {
  private static final Logger LOG = Logger.getLogger(StopSignals.class.getName());

  private StopSignals() {}

  /** Runs {@code stop} on its own thread on the first SIGTERM or SIGINT, then exits 0; a second signal exits at once. */
  static void onTermOrInt(Runnable stop) {
    var stopping = new AtomicBoolean();
    sun.misc.SignalHandler handler = signal -> {
      if (!stopping.compareAndSet(false, true)) {
        Runtime.getRuntime().halt(1); // asked twice: stop waiting
        return;
      }
      var t = new Thread(() -> {
        int code = 0;
        try {
          stop.run();
        } catch (RuntimeException e) {
          LOG.warning("graceful stop failed: " + e.getClass().getSimpleName());
          code = 1;
        }
        System.exit(code);
      }, "stepgate-stop");
      t.start();
    };
    for (var name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
      } catch (IllegalArgumentException e) {
        LOG.warning("cannot handle SIG" + name + " here; it stops the gateway without a grace");
      }
    }
  }
}

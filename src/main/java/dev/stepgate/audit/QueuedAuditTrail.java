package dev.stepgate.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An {@link AuditTrail} that writes each event as one {@link AuditLine} to a stream, from one
 * writer thread of its own: {@link #emit} only stamps the time and offers the entry to a bounded
 * queue, so no event loop ever waits on a disk or a pipe. When the queue is full the entry is
 * dropped and counted ({@link #dropped()}, {@code stepgate_audit_dropped_total}); a write that
 * fails is dropped and counted too. Each line is written whole and flushed at once.
 */
public final class QueuedAuditTrail implements ClosableAuditTrail {
  /** Events that may wait for the writer; past it they are dropped. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private static final Logger LOG = Logger.getLogger(QueuedAuditTrail.class.getName());
  private static final Queued STOP = new Queued(Instant.EPOCH, AuditEntry.of("stop"));

  private record Queued(Instant ts, AuditEntry entry) {}

  private final BlockingQueue<Queued> queue;
  private final OutputStream out;
  private final boolean closeStream;
  private final Clock clock;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  QueuedAuditTrail(OutputStream out, boolean closeStream, int capacity, Clock clock, String name) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.out = out;
    this.closeStream = closeStream;
    this.clock = clock;
    this.writer = new Thread(this::drain, "stepgate-audit-" + name);
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Lines to the process's standard output. Each line goes out in one write on {@code
   * System.out}, so it never interleaves mid-line with other writers of that stream.
   */
  public static QueuedAuditTrail stdout(Clock clock) {
    return stream(System.out, clock);
  }

  /** Lines to {@code out} (left open on {@link #close}), each in one write. */
  public static QueuedAuditTrail stream(java.io.PrintStream out, Clock clock) {
    return new QueuedAuditTrail(out, false, DEFAULT_CAPACITY, clock, "stream");
  }

  /**
   * Lines appended to {@code file}, made (with its directory) owner-only ({@code rw-------}) if
   * it does not exist yet; an existing file is appended to as it is.
   */
  public static QueuedAuditTrail file(Path file, Clock clock) throws IOException {
    return file(file, DEFAULT_CAPACITY, clock);
  }

  static QueuedAuditTrail file(Path file, int capacity, Clock clock) throws IOException {
    var dir = file.toAbsolutePath().getParent();
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (dir != null && !Files.isDirectory(dir)) {
      if (posix) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      else Files.createDirectories(dir);
    }
    if (posix) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException exists) {
        // appended to as it is
      }
    }
    var stream = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    return new QueuedAuditTrail(stream, true, capacity, clock, "file");
  }

  @Override
  public void emit(AuditEntry entry) {
    if (entry == null) return;
    if (closed || !queue.offer(new Queued(clock.instant(), entry))) dropped.incrementAndGet();
  }

  /** Events not written: the queue was full, the trail closed, or the write failed. */
  @Override
  public long dropped() {
    return dropped.get();
  }

  /** Events written so far. */
  public long written() {
    return written.get();
  }

  private void drain() {
    try {
      while (true) {
        var q = queue.take();
        if (q == STOP) return;
        write(q);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(Queued q) {
    try {
      var line = (AuditLine.of(q.ts(), q.entry()) + "\n").getBytes(StandardCharsets.UTF_8);
      // One write of the whole line, then flush: a PrintStream writes it under its own lock.
      out.write(line, 0, line.length);
      out.flush();
      written.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      if (dropped.getAndIncrement() == 0 || dropped.get() % 1000 == 0)
        LOG.log(Level.WARNING, "audit line not written (" + e.getClass().getSimpleName() + "); " + dropped.get() + " dropped so far");
    }
  }

  /** Writes what is queued (waiting at most a few seconds), then stops; later events are dropped. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      // The writer empties the queue ahead of STOP; put() waits only if the queue is full.
      if (!queue.offer(STOP, 5, TimeUnit.SECONDS)) writer.interrupt();
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closeStream) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warning("audit file close failed (" + e.getClass().getSimpleName() + ")");
      }
    }
  }
}

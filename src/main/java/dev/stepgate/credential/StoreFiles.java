package dev.stepgate.credential;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded store's directory and files hold the private signing key and every passkey, so
 * only the gateway's own user may read them: the directory is created {@code 0700} and the
 * SQLite files ({@code stepgate.db} and its {@code -wal}, {@code -shm} and {@code -journal}
 * companions) {@code 0600}, set explicitly so the umask does not matter. An existing directory or
 * file that its group or others may use is refused (one line naming the path and the mode),
 * unless the operator allowed it with {@code storage.allow_shared_permissions: true}. On a file
 * system without POSIX permissions nothing is checked or set.
 */
public final class StoreFiles {
  /** The problem type of a refusal; the admin CLI exits with 2 on it, as for bad config. */
  public static final String SHARED = "storage-permissions-shared";

  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /** SQLite names its companion files after the database (sqlite.org/tempfiles.html §2). */
  static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

  private StoreFiles() {}

  /**
   * Creates {@code dir} (missing parents too) readable by its owner only, or checks the existing
   * one. Used by everything that puts files into the storage directory before the store opens.
   *
   * @throws CredentialException {@link #SHARED} if it exists and is open to others, unless
   *     {@code allowShared}
   */
  public static void prepareDirectory(Path dir, boolean allowShared) throws IOException {
    if (Files.isDirectory(dir)) {
      if (!allowShared) refuseShared(dir, "storage path", "700");
      return;
    }
    var parent = dir.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try {
      if (posix(dir.toAbsolutePath().getParent())) Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
      else Files.createDirectory(dir);
    } catch (FileAlreadyExistsException raced) {
      // Another process made it first: judge it as an existing one.
      if (!allowShared) refuseShared(dir, "storage path", "700");
      return;
    }
    setExactly(dir, DIRECTORY); // the creation mode is subject to the umask; this is not
  }

  /**
   * Before SQLite opens {@code db}: the directory as {@link #prepareDirectory}; an existing
   * database or companion file is checked; a missing database is created empty with {@code 0600}
   * (SQLite then gives its companions the database's mode).
   */
  static void beforeOpen(Path dir, Path db, boolean allowShared) throws IOException {
    prepareDirectory(dir, allowShared);
    for (var f : files(db)) {
      if (!allowShared && Files.exists(f)) refuseShared(f, "storage file", "600");
    }
    if (!Files.exists(db)) {
      try {
        if (posix(dir)) Files.createFile(db, PosixFilePermissions.asFileAttribute(FILE));
        else Files.createFile(db);
        setExactly(db, FILE);
      } catch (FileAlreadyExistsException raced) {
        if (!allowShared) refuseShared(db, "storage file", "600");
      }
    }
  }

  /**
   * After SQLite opened and wrote: a companion file it created with a wider mode than the
   * database's (another SQLite build, another umask rule) is narrowed to {@code 0600}.
   */
  static void afterOpen(Path db, boolean allowShared) throws IOException {
    if (allowShared) return;
    for (var f : files(db)) {
      var mode = mode(f);
      if (mode.isPresent() && !FILE.containsAll(mode.get())) setExactly(f, FILE);
    }
  }

  private static List<Path> files(Path db) {
    var name = db.getFileName().toString();
    return List.of(db, db.resolveSibling(name + COMPANIONS.get(0)), db.resolveSibling(name + COMPANIONS.get(1)),
        db.resolveSibling(name + COMPANIONS.get(2)));
  }

  private static void refuseShared(Path p, String what, String fix) throws IOException {
    var mode = mode(p);
    if (mode.isEmpty()) return;
    var m = mode.get();
    if (!openToOthers(m)) return;
    boolean readable = m.contains(PosixFilePermission.GROUP_READ) || m.contains(PosixFilePermission.OTHERS_READ);
    boolean writable = m.contains(PosixFilePermission.GROUP_WRITE) || m.contains(PosixFilePermission.OTHERS_WRITE);
    var how = readable ? "readable by others" : writable ? "writable by others" : "accessible by others";
    throw new CredentialException(SHARED, 500, what + " " + p + " is " + how + " (mode " + octal(m) + "); chmod "
        + fix + " it or set storage.allow_shared_permissions: true");
  }

  static boolean openToOthers(Set<PosixFilePermission> m) {
    for (var p : m) if (!p.name().startsWith("OWNER_")) return true;
    return false;
  }

  /**
   * The POSIX mode of {@code p} (of a symlink's target: a linked data directory is judged by what
   * it points to), if it exists on a POSIX file system.
   */
  static Optional<Set<PosixFilePermission>> mode(Path p) throws IOException {
    var view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    if (view == null) return Optional.empty();
    try {
      return Optional.of(view.readAttributes().permissions());
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  /** {@code rwxr-xr-x} as {@code 0755}. */
  static String octal(Set<PosixFilePermission> m) {
    int bits = 0;
    for (var p : PosixFilePermission.values()) if (m.contains(p)) bits |= 1 << (8 - p.ordinal());
    return String.format("%04o", bits);
  }

  private static boolean posix(Path p) {
    return p != null && Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
  }

  private static void setExactly(Path p, Set<PosixFilePermission> mode) throws IOException {
    var view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    if (view != null) view.setPermissions(mode);
  }
}

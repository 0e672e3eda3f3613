package dev.odim.uploads.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Upload bytes as one file per upload in a directory, named by the upload id. The default store:
 * nothing to run besides a disk; instances that share the directory (a shared volume) share
 * uploads.
 *
 * <p>Appends are positional writes through a {@link FileChannel}, forced to disk ({@code
 * force(false)}: the data, not the file times) once per segment on a background virtual thread
 * while the writing goes on, and once more at the end; never once per buffer. Ids are checked
 * against a strict pattern before they become a file name, so no id can reach outside the
 * directory.
 */
public final class FileSystemStore implements UploadStore {
  /**
   * 128 KiB: large enough that a copy is a handful of system calls per megabyte (the 500 MB/s
   * target), small enough that 20 parallel uploads hold under 3 MiB of buffers.
   */
  static final int BUFFER_BYTES = 128 * 1024;

  /** Letters, digits, '-', '_' and '.', starting with a letter or digit: never "." or "..". */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");

  private static final String PARTIAL_SUFFIX = ".joining";

  private final Path directory;

  private FileSystemStore(Path directory) {
    this.directory = directory;
  }

  /** A store in {@code directory}, which is created when it does not exist. */
  public static FileSystemStore in(Path directory) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Files.createDirectories(directory);
    return new FileSystemStore(directory.toAbsolutePath());
  }

  /** The directory the files live in. */
  public Path directory() {
    return directory;
  }

  @Override
  public void create(String uploadId) throws IOException {
    Path file = file(uploadId);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  @Override
  public long append(String uploadId, long offset, InputStream data) throws IOException {
    // One force at the end, which the caller waits for: its segments each cost one fsync.
    return append(uploadId, offset, data, Long.MAX_VALUE, position -> true);
  }

  /**
   * Writes continuously and, every {@code segmentSize} bytes, forces what it has written on a
   * virtual thread of its own while it keeps writing, reporting each forced position. Forcing and
   * receiving overlap, so a long body is written at about the rate the disk takes durable writes,
   * instead of the client waiting for every fsync.
   */
  @Override
  public long append(
      String uploadId, long offset, InputStream data, long segmentSize, DurableOffsets durable)
      throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    if (segmentSize <= 0) {
      throw new IllegalArgumentException("segmentSize must be positive, was " + segmentSize);
    }
    Path file = file(uploadId);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size < offset) {
        throw new IOException(
            "upload " + uploadId + " holds " + size + " bytes, fewer than its offset " + offset);
      }
      if (size > offset) {
        // Bytes written after the last recorded offset (a crash, or a writer that lost its lease).
        channel.truncate(offset);
      }
      BackgroundForce forcing = new BackgroundForce(channel, offset, segmentSize, durable);
      try {
        byte[] buffer = new byte[BUFFER_BYTES];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        long position = offset;
        while (true) {
          int read;
          try {
            // read, not readNBytes: bytes of a half-filled buffer survive a broken connection.
            read = data.read(buffer, 0, buffer.length);
          } catch (IOException clientWentAway) {
            // The SPI's contract: keep what arrived, make it durable, report the offset.
            break;
          }
          if (read < 0) {
            break;
          }
          wrapped.clear().limit(read);
          while (wrapped.hasRemaining()) {
            position += channel.write(wrapped, position);
          }
          if (!forcing.written(position)) {
            break;
          }
        }
        return forcing.finish(position);
      } catch (IOException | RuntimeException | Error e) {
        forcing.abandon();
        throw e;
      }
    }
  }

  @Override
  public void finish(String uploadId, long length) throws IOException {
    Path file = file(uploadId);
    long size = Files.size(file);
    if (size != length) {
      throw new IOException("upload " + uploadId + " holds " + size + " bytes, not " + length);
    }
  }

  @Override
  public InputStream open(String uploadId) throws IOException {
    return Files.newInputStream(file(uploadId));
  }

  @Override
  public void concatenate(String uploadId, List<String> partIds) throws IOException {
    Path target = file(uploadId);
    List<Path> parts = new ArrayList<>(partIds.size());
    for (String partId : partIds) {
      parts.add(file(partId));
    }
    // Joined under another name and moved into place, so a crash never leaves a half-joined file
    // under the final id.
    Path joining = directory.resolve(uploadId + PARTIAL_SUFFIX);
    try (FileChannel out =
        FileChannel.open(
            joining,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      long position = 0;
      for (Path part : parts) {
        try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
          long size = in.size();
          long copied = 0;
          while (copied < size) {
            copied += in.transferTo(copied, size - copied, out.position(position + copied));
          }
          position += size;
        }
      }
      out.force(false);
    }
    Files.move(
        joining, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(String uploadId) throws IOException {
    Files.deleteIfExists(file(uploadId));
    Files.deleteIfExists(directory.resolve(uploadId + PARTIAL_SUFFIX));
  }

  @Override
  public Stream<String> ids() throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (ID.matcher(name).matches() && !name.endsWith(PARTIAL_SUFFIX)) {
          ids.add(name);
        }
      }
    }
    return ids.stream();
  }

  private Path file(String uploadId) {
    if (!ID.matcher(uploadId).matches() || uploadId.endsWith(PARTIAL_SUFFIX)) {
      throw new IllegalArgumentException("not a valid upload id: \"" + uploadId + "\"");
    }
    return directory.resolve(uploadId);
  }

  @Override
  public String toString() {
    return "FileSystemStore[" + directory + "]";
  }
}

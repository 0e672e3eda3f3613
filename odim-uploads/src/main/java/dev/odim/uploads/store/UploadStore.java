package dev.odim.uploads.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the bytes of uploads live: the filesystem, or an S3-compatible object store.
 *
 * <p>The protocol handler keeps each upload's state (offset, length, lease) in PostgreSQL and calls
 * a store for an upload only while it holds that upload's lease, so a store never sees two writers
 * of one upload at once. Different uploads are written concurrently, from any instance that shares
 * the store. Every implementation runs the contract suite in this module's tests jar.
 */
public interface UploadStore extends AutoCloseable {

  /**
   * Makes room for a new upload. Called once, before the first {@link #append}; calling it again
   * for the same id does no harm.
   */
  void create(String uploadId) throws IOException;

  /**
   * Appends the bytes of {@code data}, read until its end, at {@code offset}, the upload's durable
   * offset as recorded by the handler. Bytes held beyond {@code offset} from an earlier write that
   * was never recorded (a crash between the write and the record) are discarded first.
   *
   * <p>Returns the new durable offset: every byte below it survives a crash of this process (the
   * filesystem store forces them to disk; an object store has committed them to the service). When
   * reading {@code data} fails part-way (the client's connection broke), the store keeps what it
   * received, makes it durable and returns that offset instead of throwing, so the client can
   * resume from there. It throws only when the store itself fails.
   */
  long append(String uploadId, long offset, InputStream data) throws IOException;

  /**
   * Appends like {@link #append(String, long, InputStream)} and tells {@code durable} of progress
   * while the body still arrives, so that the handler makes one call per request and a long body (a
   * whole file in one PATCH) is still recorded about every {@code segmentSize} bytes: a crash or a
   * broken connection then costs the client about that much, never the whole body.
   *
   * <p>Reported offsets increase, lie above {@code offset}, and each is durable when it is
   * reported. The last report equals the returned offset; an append that stores nothing reports
   * nothing and returns {@code offset}. A broken {@code data} stream ends the append as in {@link
   * #append(String, long, InputStream)}: what arrived is made durable, reported and returned.
   *
   * <p>When {@code durable} answers {@code false} (the handler lost its lease), the store stops
   * reading and returns the last reported offset; bytes it wrote beyond it are discarded by the
   * next append like any other unrecorded bytes. An exception thrown by {@code durable} ends the
   * append and is thrown by it.
   *
   * <p>The default appends segments of {@code segmentSize} bytes one after another through {@link
   * #append(String, long, InputStream)} and reports after each: right for any store, but the stream
   * waits while each segment is made durable. A store that can make bytes durable while it keeps
   * writing overrides it ({@link FileSystemStore} forces in the background).
   */
  default long append(
      String uploadId, long offset, InputStream data, long segmentSize, DurableOffsets durable)
      throws IOException {
    if (segmentSize <= 0) {
      throw new IllegalArgumentException("segmentSize must be positive, was " + segmentSize);
    }
    long position = offset;
    int first = -1;
    while (true) {
      Segment segment = new Segment(data, first, segmentSize);
      long appended = append(uploadId, position, segment);
      if (appended == position) {
        return position;
      }
      position = appended;
      if (!durable.durable(position) || !segment.full()) {
        return position;
      }
      // Peek one byte, so a body that ends on a segment boundary costs no empty append (an object
      // store's append is several requests).
      try {
        first = data.read();
      } catch (IOException clientWentAway) {
        return position;
      }
      if (first < 0) {
        return position;
      }
    }
  }

  /**
   * Called once when the upload holds all of its {@code length} bytes; an object store assembles
   * its parts here. After it, {@link #open} reads the whole upload.
   */
  void finish(String uploadId, long length) throws IOException;

  /** Opens a finished upload's bytes from the start. */
  InputStream open(String uploadId) throws IOException;

  /**
   * Makes {@code uploadId} a finished upload whose bytes are those of the finished uploads {@code
   * partIds}, in order (the tus concatenation extension). The parts are left as they are.
   */
  void concatenate(String uploadId, List<String> partIds) throws IOException;

  /** Removes everything stored for an upload; nothing happens when nothing is stored. */
  void delete(String uploadId) throws IOException;

  /**
   * The ids of every upload the store holds something for, so the clean-up job can remove what the
   * database no longer knows (orphans). The caller closes the stream.
   */
  Stream<String> ids() throws IOException;

  /** Releases the store's resources (clients, thread pools). The default has none. */
  @Override
  default void close() throws IOException {}
}

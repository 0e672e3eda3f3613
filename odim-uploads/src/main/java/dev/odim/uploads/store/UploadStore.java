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

package dev.odim.uploads.store;

/**
 * Hears the offsets an {@link UploadStore#append(String, long, java.io.InputStream, long,
 * DurableOffsets) append} has made durable while it is still receiving, so the handler can record
 * progress in the database without stopping the stream for every fsync.
 */
@FunctionalInterface
public interface DurableOffsets {
  /**
   * Every byte of the upload below {@code offset} survives a crash of this process. Offsets arrive
   * in increasing order, one call at a time, possibly from a thread of the store's.
   *
   * @return whether the store should go on; {@code false} (the handler lost its lease) makes the
   *     append stop reading and return without reporting more
   */
  boolean durable(long offset);
}

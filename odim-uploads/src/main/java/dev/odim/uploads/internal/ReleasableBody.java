package dev.odim.uploads.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A request body that a writer can stop reading when its lease must go, even while the client sends
 * nothing: a stuck connection blocks a read with no timeout of ours, and a lease holder that waits
 * on it would make the next PATCH wait too.
 *
 * <p>A virtual thread reads the body into two buffers in turn and hands them over; this stream
 * waits for the next buffer in short polls and, as soon as the lease is no longer usable, ends as
 * if the body had ended ({@link #stoppedByLease()}). The writer then records what it wrote and lets
 * go; the reading thread ends when the container closes the request. The hand-over costs one copy
 * of each buffer (a memory copy, far below the disk's and the network's cost), and memory stays at
 * two buffers per request, whatever the body's size.
 */
public final class ReleasableBody extends InputStream {
  static final int BUFFER_BYTES = 128 * 1024;
  private static final long POLL_MILLIS = 50;

  private record Chunk(byte @Nullable [] buffer, int length, @Nullable IOException failure) {}

  private static final Chunk END = new Chunk(null, -1, null);

  private final InputStream source;
  private final Lease lease;
  private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(2);
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(2);
  private volatile boolean closed;
  private @Nullable Thread reader;
  private @Nullable Chunk current;
  private int position;
  private boolean ended;
  private boolean failed;
  private boolean stoppedByLease;

  public ReleasableBody(InputStream source, Lease lease) {
    this.source = source;
    this.lease = lease;
    free.add(new byte[BUFFER_BYTES]);
    free.add(new byte[BUFFER_BYTES]);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (ended || failed || stoppedByLease) {
      return -1;
    }
    if (!lease.usable()) {
      // Checked before every buffer, not only while waiting: a writer that streams steadily must
      // stop as promptly as one that waits.
      stoppedByLease = true;
      return -1;
    }
    if (reader == null) {
      reader = Thread.ofVirtual().name("odim-uploads-body").start(this::pump);
    }
    Chunk chunk = current;
    while (chunk == null) {
      if (!lease.usable()) {
        stoppedByLease = true;
        return -1;
      }
      try {
        chunk = filled.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading the request body", e);
      }
      if (chunk != null && chunk.failure() != null) {
        failed = true;
        throw chunk.failure();
      }
      if (chunk == END) {
        ended = true;
        return -1;
      }
      current = chunk;
      position = 0;
    }
    byte[] buffer = chunk.buffer();
    int n = Math.min(len, chunk.length() - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    if (position == chunk.length()) {
      current = null;
      free.offer(buffer);
    }
    return n;
  }

  private void pump() {
    try {
      while (!closed) {
        byte[] buffer = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (buffer == null) {
          continue;
        }
        int n = source.read(buffer, 0, buffer.length);
        if (n < 0) {
          put(END);
          return;
        }
        // Top the buffer up with what has already arrived, never waiting for more: a container
        // hands the body over in its own small pieces (often 16 KiB or less), and one hand-over
        // and one disk write per piece cost more CPU than the copy itself.
        boolean ended = false;
        IOException broke = null;
        try {
          while (n < buffer.length && source.available() > 0) {
            int more = source.read(buffer, n, buffer.length - n);
            if (more < 0) {
              ended = true;
              break;
            }
            n += more;
          }
        } catch (IOException e) {
          broke = e;
        }
        if (n > 0) {
          put(new Chunk(buffer, n, null));
        } else {
          free.offer(buffer);
        }
        if (broke != null) {
          put(new Chunk(null, -1, broke));
          return;
        }
        if (ended) {
          put(END);
          return;
        }
      }
    } catch (IOException e) {
      put(new Chunk(null, -1, e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void put(Chunk chunk) {
    try {
      while (!closed && !filled.offer(chunk, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        // the writer is busy with the previous buffer, or gone: closed ends the loop
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the body ended as the client sent it. */
  public boolean ended() {
    return ended;
  }

  /** Whether reading the body failed: the client's connection broke. */
  public boolean failed() {
    return failed;
  }

  /** Whether reading stopped because the lease was asked for, taken over or ran out. */
  public boolean stoppedByLease() {
    return stoppedByLease;
  }

  @Override
  public void close() {
    closed = true;
  }
}

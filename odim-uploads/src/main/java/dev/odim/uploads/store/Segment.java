package dev.odim.uploads.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * At most {@code limit} bytes of another stream, which is left open, optionally after one byte
 * already read from it: one segment of a body for a store that makes bytes durable once per {@link
 * UploadStore#append(String, long, InputStream)}.
 */
final class Segment extends InputStream {
  private final InputStream in;
  private int first;
  private long remaining;

  /** {@code first}: a byte read ahead from {@code in} that comes first, or -1. */
  Segment(InputStream in, int first, long limit) {
    this.in = in;
    this.first = first;
    this.remaining = limit;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    if (first >= 0) {
      b[off] = (byte) first;
      first = -1;
      remaining--;
      return 1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  /** Whether every byte of the limit was read, so the body may hold more. */
  boolean full() {
    return remaining == 0;
  }

  @Override
  public void close() {
    // the underlying stream belongs to the caller
  }
}

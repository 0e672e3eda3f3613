package dev.odim.uploads.internal;

import java.io.IOException;
import java.io.InputStream;

/** At most {@code limit} bytes of another stream, which is left open: one segment of a body. */
final class Bounded extends InputStream {
  private final InputStream in;
  private long remaining;

  Bounded(InputStream in, long limit) {
    this.in = in;
    this.remaining = limit;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  /** Whether every byte of the limit was read. */
  boolean full() {
    return remaining == 0;
  }

  @Override
  public void close() {
    // the underlying stream belongs to the caller
  }
}

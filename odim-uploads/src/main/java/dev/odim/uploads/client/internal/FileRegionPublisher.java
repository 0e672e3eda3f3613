package dev.odim.uploads.client.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * A request body of one region of a file, read on demand with positional reads, so a chunk of any
 * size costs the client a few buffers of memory rather than the chunk.
 *
 * <p>Every buffer is fresh: the HTTP client may still be writing a buffer to the socket after it
 * asks for the next one, and nothing tells the publisher when it is done, so reusing one would
 * corrupt the stream. The garbage is short-lived; at 256 KiB a buffer stays well below G1's
 * humongous-object size for any heap over 512 MiB.
 */
public final class FileRegionPublisher implements BodyPublisher {
  static final int BUFFER_SIZE = 256 * 1024;

  private final FileChannel channel;
  private final long position;
  private final long length;
  private final LongConsumer sent;
  private final BooleanSupplier cancelled;

  /**
   * @param channel the file, opened for reading; positional reads leave its position alone, so
   *     parts of one file can be read concurrently
   * @param position where the region starts in the file
   * @param length the region's length, the body's {@code Content-Length}
   * @param sent hears the size of every buffer handed to the HTTP client
   * @param cancelled stops the body (with an error, so the request fails) once it turns true
   */
  public FileRegionPublisher(
      FileChannel channel,
      long position,
      long length,
      LongConsumer sent,
      BooleanSupplier cancelled) {
    this.channel = channel;
    this.position = position;
    this.length = length;
    this.sent = sent;
    this.cancelled = cancelled;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    // each subscription reads the region from its start: the HTTP client subscribes again when
    // it re-sends a request itself
    subscriber.onSubscribe(new Region(subscriber));
  }

  private final class Region implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private long done;
    private volatile boolean finished;

    Region(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (finished) {
        return;
      }
      if (n <= 0) {
        finished = true;
        subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      // drain from one thread at a time; a request() made from inside onNext only adds demand
      if (wip.getAndIncrement() != 0) {
        return;
      }
      do {
        drain();
      } while (wip.decrementAndGet() != 0);
    }

    private void drain() {
      while (!finished && demand.get() > 0) {
        if (done == length) {
          finished = true;
          subscriber.onComplete();
          return;
        }
        if (cancelled.getAsBoolean()) {
          finished = true;
          subscriber.onError(new IOException("upload cancelled"));
          return;
        }
        ByteBuffer buffer;
        try {
          buffer = read((int) Math.min(BUFFER_SIZE, length - done));
        } catch (IOException e) {
          finished = true;
          subscriber.onError(new LocalReadException("could not read the file being uploaded", e));
          return;
        }
        done += buffer.remaining();
        demand.decrementAndGet();
        sent.accept(buffer.remaining());
        subscriber.onNext(buffer);
      }
    }

    private ByteBuffer read(int size) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(size);
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position + done + buffer.position());
        if (n < 0) {
          throw new EOFException("the file ended before the upload did: was it truncated?");
        }
      }
      return buffer.flip();
    }

    @Override
    public void cancel() {
      finished = true;
    }
  }
}

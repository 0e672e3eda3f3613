package dev.odim.uploads.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegionPublisherTest {
  @TempDir Path dir;

  @Test
  void emitsExactlyTheRegionInFreshBuffersAndCountsThem() throws Exception {
    byte[] bytes = new byte[3 * FileRegionPublisher.BUFFER_SIZE + 12345];
    new Random(7).nextBytes(bytes);
    Path file = Files.write(dir.resolve("f"), bytes);
    long position = 1000;
    long length = 2 * FileRegionPublisher.BUFFER_SIZE + 17;
    AtomicLong sent = new AtomicLong();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      var publisher =
          new FileRegionPublisher(channel, position, length, sent::addAndGet, () -> false);
      assertThat(publisher.contentLength()).isEqualTo(length);
      Collector collector = new Collector(1);
      publisher.subscribe(collector);
      assertThat(collector.completed).isTrue();
      assertThat(collector.error).isNull();
      assertThat(collector.bytes.toByteArray())
          .isEqualTo(Arrays.copyOfRange(bytes, (int) position, (int) (position + length)));
      assertThat(sent.get()).isEqualTo(length);
      assertThat(collector.distinctBuffers).isTrue();

      // a second subscription (the HTTP client re-sending) reads the region from its start again
      Collector again = new Collector(Long.MAX_VALUE);
      publisher.subscribe(again);
      assertThat(again.bytes.toByteArray()).isEqualTo(collector.bytes.toByteArray());
    }
  }

  @Test
  void anEmptyRegionCompletesAtOnce() throws Exception {
    Path file = Files.write(dir.resolve("empty"), new byte[0]);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Collector collector = new Collector(1);
      new FileRegionPublisher(channel, 0, 0, n -> {}, () -> false).subscribe(collector);
      assertThat(collector.completed).isTrue();
      assertThat(collector.bytes.size()).isZero();
    }
  }

  @Test
  void cancellingFailsTheBodySoTheRequestStops() throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[4 * FileRegionPublisher.BUFFER_SIZE]);
    AtomicBoolean cancelled = new AtomicBoolean();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Collector collector = new Collector(1);
      collector.afterFirst = () -> cancelled.set(true);
      new FileRegionPublisher(channel, 0, Files.size(file), n -> {}, cancelled::get)
          .subscribe(collector);
      assertThat(collector.completed).isFalse();
      assertThat(collector.error).isInstanceOf(java.io.IOException.class);
      assertThat(collector.bytes.size()).isEqualTo(FileRegionPublisher.BUFFER_SIZE);
    }
  }

  @Test
  void aTruncatedFileIsALocalReadFailure() throws Exception {
    Path file = Files.write(dir.resolve("short"), new byte[100]);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Collector collector = new Collector(Long.MAX_VALUE);
      new FileRegionPublisher(channel, 0, 200, n -> {}, () -> false).subscribe(collector);
      assertThat(collector.error).isInstanceOf(LocalReadException.class);
    }
  }

  /** Requests {@code batch} at a time, again from inside onNext, as the HTTP client does. */
  private static final class Collector implements Flow.Subscriber<ByteBuffer> {
    final long batch;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Flow.@Nullable Subscription subscription;
    @Nullable Throwable error;
    @Nullable ByteBuffer previous;
    @Nullable Runnable afterFirst;
    boolean completed;
    boolean distinctBuffers = true;
    long outstanding;

    Collector(long batch) {
      this.batch = batch;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      outstanding = batch;
      subscription.request(batch);
    }

    @Override
    public void onNext(ByteBuffer item) {
      if (previous != null && previous.array() == item.array()) {
        distinctBuffers = false;
      }
      previous = item;
      byte[] copy = new byte[item.remaining()];
      item.get(copy);
      bytes.writeBytes(copy);
      if (afterFirst != null) {
        afterFirst.run();
        afterFirst = null;
      }
      if (--outstanding == 0 && subscription != null) {
        outstanding = batch;
        subscription.request(batch);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }
}

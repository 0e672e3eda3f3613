package dev.odim.uploads.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.awaitility.Awaitility.await;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.uploads.UploadConcat;
import dev.odim.uploads.UploadInfo;
import dev.odim.uploads.UploadState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Our client against the real tus handler, mounted in Jetty, over real loopback HTTP. */
@ExtendWith(PostgresExtension.class)
class TusClientTest {
  private static final int CHUNK = 256 * 1024;
  // quick retries, but patient enough for the server to hand over a broken request's lease
  private static final RetryPolicy PATIENT =
      new RetryPolicy(20, Duration.ofMillis(20), Duration.ofSeconds(3));

  @TempDir static Path storage;
  @TempDir Path dir;
  private static TusServer server;
  private static TusClient client;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    server = TusServer.start(database, storage);
    client = clientOf(server.endpoint(), ChecksumAlgorithm.NONE);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  @AfterEach
  void resetFaults() {
    server.faults().reset();
  }

  private static TusClient clientOf(URI endpoint, ChecksumAlgorithm checksum) {
    return TusClient.builder(endpoint).chunkSize(CHUNK).retry(PATIENT).checksum(checksum).build();
  }

  private Path file(String name, long size) throws IOException {
    byte[] bytes = new byte[Math.toIntExact(size)];
    new Random(size * 31 + name.hashCode()).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  private static UploadResult.Completed completed(UploadResult result) {
    assertThat(result).isInstanceOf(UploadResult.Completed.class);
    return (UploadResult.Completed) result;
  }

  private void assertStored(UploadResult.Completed done, Path file) throws IOException {
    UploadInfo info = server.info(done.url());
    assertThat(info).isNotNull();
    assertThat(info.state()).isEqualTo(UploadState.FINISHED);
    assertThat(info.offset()).isEqualTo(Files.size(file));
    assertThat(server.sha256(done.url())).isEqualTo(TusServer.sha256(file));
  }

  @Test
  void filesOfEverySizeArriveByteForByte() throws IOException {
    long[] sizes = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3L * CHUNK, 3L * CHUNK + 12345};
    for (long size : sizes) {
      Path file = file("size-" + size, size);
      UploadResult.Completed done =
          completed(client.upload(Upload.of(file).withMetadata("filename", "size-" + size)));
      assertStored(done, file);
      assertThat(done.length()).isEqualTo(size);
      assertThat(done.bytesSent()).isEqualTo(size);
      assertThat(done.bytesResent()).isZero();
      assertThat(done.retries()).isZero();
      assertThat(server.info(done.url()).filename()).isEqualTo("size-" + size);
    }
  }

  @Test
  void metadataArrivesDecoded() throws IOException {
    Path file = file("meta", 10);
    UploadResult.Completed done =
        completed(
            client.upload(
                Upload.of(file)
                    .withMetadata("filename", "Ọjọ́ ìbí, 2026 ✓.bin")
                    .withMetadata("filetype", "application/octet-stream")
                    .withMetadata("flag", "")));
    assertThat(server.info(done.url()).metadata())
        .containsEntry("filename", "Ọjọ́ ìbí, 2026 ✓.bin")
        .containsEntry("filetype", "application/octet-stream")
        .containsEntry("flag", "");
  }

  @Test
  void progressOnlyGrowsAndEndsAtTheTotal() throws IOException {
    Path file = file("progress", 5L * CHUNK + 7);
    List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
    completed(
        client.upload(
            Upload.of(file).onProgress((done, total) -> calls.add(new long[] {done, total}))));
    assertThat(calls).hasSizeGreaterThanOrEqualTo(6);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[0]).isGreaterThan(calls.get(i - 1)[0]);
    }
    assertThat(calls).allSatisfy(call -> assertThat(call[1]).isEqualTo(5L * CHUNK + 7));
    assertThat(calls.getLast()[0]).isEqualTo(5L * CHUNK + 7);

    List<long[]> empty = new ArrayList<>();
    completed(
        client.upload(
            Upload.of(file("empty", 0)).onProgress((d, t) -> empty.add(new long[] {d, t}))));
    assertThat(empty).hasSize(1);
    assertThat(empty.getFirst()).containsExactly(0, 0);
  }

  @Test
  void aConnectionBrokenMidChunkResumesFromTheServersOffsetResendingLessThanAChunk()
      throws Exception {
    Path file = file("broken", 8L * CHUNK + 99);
    try (BreakingProxy proxy = BreakingProxy.to(server.port());
        TusClient viaProxy = clientOf(TusServer.endpoint(proxy.port()), ChecksumAlgorithm.NONE)) {
      // the POST is a few hundred bytes; this lands inside the body of the fourth PATCH
      proxy.breakAfter(3L * CHUNK + CHUNK / 2);
      UploadResult.Completed done = completed(viaProxy.upload(Upload.of(file)));
      assertThat(proxy.breaks()).isEqualTo(1);
      assertStored(done, file);
      assertThat(done.retries()).isGreaterThanOrEqualTo(1);
      assertThat(done.bytesResent()).isLessThanOrEqualTo(CHUNK);
      assertThat(done.bytesSent())
          .isGreaterThan(Files.size(file) - 1)
          .isLessThanOrEqualTo(Files.size(file) + CHUNK);
    }
  }

  @Test
  void aLaterRunResumesWhatABrokenRunLeftSendingOnlyTheRest() throws Exception {
    Path file = file("later", 6L * CHUNK);
    URI url;
    try (BreakingProxy proxy = BreakingProxy.to(server.port());
        TusClient once =
            TusClient.builder(TusServer.endpoint(proxy.port()))
                .chunkSize(CHUNK)
                .retry(RetryPolicy.NONE)
                .build()) {
      proxy.breakAfter(2L * CHUNK + 1000);
      TusClientException failure =
          (TusClientException) catchFailure(() -> once.upload(Upload.of(file)));
      assertThat(failure.status()).isZero();
      url = failure.uploadUrl();
      assertThat(url).isNotNull();
    }
    URI direct = server.endpoint().resolve(url.getPath());
    UploadResult.Completed done = completed(client.upload(Upload.of(file).resumingAt(direct)));
    assertThat(done.startOffset()).isGreaterThanOrEqualTo(2L * CHUNK - CHUNK);
    // a HEAD right after the break may read the offset before the server recorded the broken
    // request's last bytes; the 409 that follows comes before the chunk is sent (100-continue)
    assertThat(done.bytesSent()).isEqualTo(6L * CHUNK - done.startOffset());
    assertThat(done.bytesResent()).isZero();
    assertStored(done, file);
  }

  @Test
  void anOffsetConflictOnResumeIsAnsweredBeforeTheChunkIsSent() throws IOException {
    Path file = file("conflict", 4L * CHUNK);
    URI url = cancelledAfter(file, CHUNK);
    server.faults().refuseUnread(1, 409, "PATCH");
    UploadResult.Completed done = completed(client.upload(Upload.of(file).resumingAt(url)));
    assertThat(done.retries()).isEqualTo(1);
    assertThat(done.bytesResent()).isZero();
    assertStored(done, file);

    // without asking first, the refused chunk travels for nothing: the assertion above can fail
    Path other = file("conflict-blind", 4L * CHUNK);
    URI blindUrl = cancelledAfter(other, CHUNK);
    try (TusClient blind =
        TusClient.builder(server.endpoint())
            .chunkSize(CHUNK)
            .retry(PATIENT)
            .expectContinueOnResume(false)
            .build()) {
      server.faults().refuseUnread(1, 409, "PATCH");
      UploadResult.Completed wasteful =
          completed(blind.upload(Upload.of(other).resumingAt(blindUrl)));
      assertThat(wasteful.bytesResent()).isPositive();
      assertStored(wasteful, other);
    }
  }

  /** Starts uploading {@code file} and cancels once {@code bytes} are acknowledged. */
  private static URI cancelledAfter(Path file, long bytes) {
    AtomicReference<UploadTask> task = new AtomicReference<>();
    task.set(
        client.start(
            Upload.of(file)
                .onProgress(
                    (done, total) -> {
                      if (done >= bytes) {
                        while (task.get() == null) {
                          Thread.onSpinWait();
                        }
                        task.get().cancel();
                      }
                    })));
    UploadResult.Cancelled cancelled = (UploadResult.Cancelled) task.get().await();
    assertThat(cancelled.url()).isNotNull();
    return cancelled.url();
  }

  private static RuntimeException catchFailure(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void serverErrorsAreRetriedAndRetryAfterIsHonoured() throws IOException {
    Path file = file("flaky", 3L * CHUNK);
    server.faults().fail(1, 429, "1", "POST");
    long started = System.nanoTime();
    UploadResult.Completed done = completed(client.upload(Upload.of(file)));
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(done.retries()).isEqualTo(1);
    assertStored(done, file);

    server.faults().fail(2, 503, null, "PATCH");
    UploadResult.Completed again = completed(client.upload(Upload.of(file)));
    assertThat(again.retries()).isEqualTo(2);
    assertThat(again.bytesSent()).isEqualTo(3L * CHUNK + 2L * CHUNK);
    assertStored(again, file);
  }

  @Test
  void retriesRunOutWithTheLastStatusAndTheUrlToResume() throws IOException {
    Path file = file("down", 2L * CHUNK);
    try (TusClient impatient =
        TusClient.builder(server.endpoint())
            .chunkSize(CHUNK)
            .retry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)))
            .build()) {
      server.faults().fail(100, 503, null, "PATCH");
      TusClientException failure =
          (TusClientException) catchFailure(() -> impatient.upload(Upload.of(file)));
      assertThat(failure.status()).isEqualTo(503);
      assertThat(failure.uploadUrl()).isNotNull();
      assertThat(failure).hasMessageContaining("after 3 attempts");
      server.faults().reset();
      completed(impatient.upload(Upload.of(file).resumingAt(failure.uploadUrl())));
    }
  }

  @Test
  void aRetryAfterLongerThanMaxDelayEndsTheCall() throws IOException {
    server.faults().fail(1, 503, "3600", "POST");
    assertThatThrownBy(() -> client.upload(Upload.of(file("later-hint", 5))))
        .isInstanceOf(TusClientException.class)
        .hasMessageContaining("PT1H");
  }

  @Test
  void cancelAndTerminateDeletesTheUpload() throws IOException {
    Path file = file("terminate", 10L * CHUNK);
    AtomicReference<UploadTask> task = new AtomicReference<>();
    task.set(
        client.start(
            Upload.of(file)
                .onProgress(
                    (done, total) -> {
                      if (done >= CHUNK) {
                        while (task.get() == null) {
                          Thread.onSpinWait();
                        }
                        task.get().cancelAndTerminate();
                      }
                    })));
    UploadResult result = task.get().await();
    assertThat(result)
        .asInstanceOf(type(UploadResult.Cancelled.class))
        .satisfies(
            cancelled -> {
              assertThat(cancelled.terminated()).isTrue();
              assertThat(cancelled.offset()).isGreaterThanOrEqualTo(CHUNK).isLessThan(10L * CHUNK);
              assertThat(client.offset(cancelled.url())).isEmpty();
              assertThat(client.upload(Upload.of(file).resumingAt(cancelled.url())))
                  .isInstanceOf(UploadResult.Gone.class);
            });
  }

  @Test
  void cancelLeavesTheUploadResumable() throws IOException {
    Path file = file("cancel", 10L * CHUNK);
    AtomicReference<UploadTask> task = new AtomicReference<>();
    task.set(
        client.start(
            Upload.of(file)
                .onProgress(
                    (done, total) -> {
                      if (done >= 2L * CHUNK) {
                        while (task.get() == null) {
                          Thread.onSpinWait();
                        }
                        task.get().cancel();
                      }
                    })));
    UploadResult.Cancelled cancelled = (UploadResult.Cancelled) task.get().await();
    assertThat(cancelled.terminated()).isFalse();
    assertThat(client.offset(cancelled.url())).hasValue(cancelled.offset());
    UploadResult.Completed done =
        completed(client.upload(Upload.of(file).resumingAt(cancelled.url())));
    assertThat(done.startOffset()).isEqualTo(cancelled.offset());
    assertStored(done, file);
  }

  @Test
  void cancelAbortsTheRequestInFlight() throws IOException {
    Path file = file("stuck", 2L * CHUNK);
    server.faults().stall(Duration.ofSeconds(30));
    UploadTask task = client.start(Upload.of(file));
    await().atMost(Duration.ofSeconds(10)).until(() -> server.faults().patches() >= 1);
    long started = System.nanoTime();
    task.cancel();
    assertThat(task.await()).isInstanceOf(UploadResult.Cancelled.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void interruptingABlockingUploadCancelsIt() throws Exception {
    Path file = file("interrupt", 10L * CHUNK);
    AtomicReference<UploadResult> result = new AtomicReference<>();
    AtomicReference<Thread> uploader = new AtomicReference<>();
    Thread thread =
        Thread.ofVirtual()
            .unstarted(
                () ->
                    result.set(
                        client.upload(
                            Upload.of(file)
                                .onProgress(
                                    (done, total) -> {
                                      if (done >= CHUNK) {
                                        uploader.get().interrupt();
                                      }
                                    }))));
    uploader.set(thread);
    thread.start();
    thread.join(Duration.ofSeconds(30));
    assertThat(result.get())
        .asInstanceOf(type(UploadResult.Cancelled.class))
        .satisfies(
            cancelled -> {
              assertThat(cancelled.terminated()).isFalse();
              assertThat(cancelled.offset()).isLessThan(10L * CHUNK);
            });
  }

  @Test
  void partsUploadedSideBySideAreConcatenatedInOrder() throws IOException {
    Path file = file("parallel", 7L * CHUNK + 5);
    List<Long> progress = Collections.synchronizedList(new ArrayList<>());
    UploadResult.Completed done =
        completed(
            client.upload(
                Upload.of(file)
                    .inParts(4)
                    .withMetadata("filename", "parallel.bin")
                    .onProgress((acknowledged, total) -> progress.add(acknowledged))));
    UploadInfo info = server.info(done.url());
    assertThat(info.concat()).isEqualTo(UploadConcat.FINAL);
    assertThat(info.parts()).hasSize(4);
    assertThat(info.filename()).isEqualTo("parallel.bin");
    assertThat(done.bytesSent()).isEqualTo(Files.size(file));
    assertStored(done, file);
    assertThat(progress).isSorted().last().isEqualTo(Files.size(file));
  }

  @Test
  void aFileSmallerThanThePartsIsSentInFewerParts() throws IOException {
    Path file = file("tiny-parallel", 3);
    UploadResult.Completed done = completed(client.upload(Upload.of(file).inParts(8)));
    assertThat(server.info(done.url()).parts()).hasSize(3);
    assertStored(done, file);
  }

  @Test
  void everyChecksumAlgorithmIsAcceptedByTheServer() throws IOException {
    Path file = file("checksum", 2L * CHUNK + 3);
    for (ChecksumAlgorithm algorithm :
        List.of(ChecksumAlgorithm.MD5, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256)) {
      try (TusClient checking = clientOf(server.endpoint(), algorithm)) {
        UploadResult.Completed done = completed(checking.upload(Upload.of(file)));
        assertThat(done.retries()).isZero();
        assertStored(done, file);
      }
    }
  }

  @Test
  void aChunkCorruptedOnTheWayIsRefusedAndSentAgain() throws IOException {
    Path file = file("corrupt", 2L * CHUNK);
    try (TusClient checking = clientOf(server.endpoint(), ChecksumAlgorithm.SHA256)) {
      server.faults().corrupt(1);
      UploadResult.Completed done = completed(checking.upload(Upload.of(file)));
      assertThat(done.retries()).isEqualTo(1);
      assertStored(done, file);
    }
    // without a checksum the same corruption is stored: the test above can fail
    server.faults().corrupt(1);
    UploadResult.Completed unchecked = completed(client.upload(Upload.of(file)));
    assertThat(server.sha256(unchecked.url())).isNotEqualTo(TusServer.sha256(file));
  }

  @Test
  void aTooLargeUploadIsRejectedWithTheProblemCode() throws IOException {
    Path huge = dir.resolve("sparse");
    try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
      sparse.setLength(3L << 30); // over the default 2 GiB maximum, without writing it
    }
    UploadResult result = client.upload(Upload.of(huge));
    assertThat(result)
        .asInstanceOf(type(UploadResult.Rejected.class))
        .satisfies(
            rejected -> {
              assertThat(rejected.status()).isEqualTo(413);
              assertThat(rejected.code()).isNotBlank();
              assertThat(rejected.url()).isNull();
              assertThat(rejected.bytesSent()).isZero();
            });
  }

  @Test
  void resumingAnUploadOfAnotherLengthIsRefused() throws IOException {
    UploadResult.Completed done = completed(client.upload(Upload.of(file("first", 100))));
    assertThatThrownBy(() -> client.upload(Upload.of(file("other", 200)).resumingAt(done.url())))
        .isInstanceOf(TusClientException.class)
        .hasMessageContaining("100 bytes long");
  }

  @Test
  void terminateIsIdempotent() throws IOException {
    UploadResult.Completed done = completed(client.upload(Upload.of(file("bye", 10))));
    assertThat(client.terminate(done.url())).isTrue();
    assertThat(client.terminate(done.url())).isTrue();
    assertThat(client.offset(done.url())).isEmpty();
  }
}

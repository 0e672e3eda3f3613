package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken connections, two instances on one database and one directory, and the writer lease:
 * concurrent PATCHes never interleave, a dead holder's lease is taken over, a live stuck holder
 * lets go when asked.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeAndLeaseTest {
  /** Long enough that a take-over within it can only come from the release request. */
  private static final Duration LEASE = Duration.ofSeconds(10);

  @TempDir static Path directory;
  private Db db;
  private Uploads first;
  private Uploads second;
  private TusServer one;
  private TusServer two;

  @BeforeAll
  void start(TestDatabase database) throws Exception {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    first =
        Uploads.builder(db)
            .directory(directory)
            .access(TusServer.byHeader())
            .leaseTimeout(LEASE)
            .segmentSize(64 << 10)
            .build();
    second =
        Uploads.builder(db)
            .directory(directory)
            .access(TusServer.byHeader())
            .leaseTimeout(Duration.ofSeconds(3))
            .build();
    one = TusServer.serve(first.handler());
    two = TusServer.serve(second.handler());
  }

  @AfterAll
  void stop() throws Exception {
    one.close();
    two.close();
    first.close();
    second.close();
    db.close();
  }

  @Test
  void aBrokenConnectionKeepsWhatArrivedAndTheResumedFileIsByteIdentical() throws Exception {
    byte[] data = Bytes.random(1_000_000, 21);
    String location = one.create("ann", data.length, Map.of());
    int sent = 600_001;

    try (RawPatch patch = new RawPatch(one.port(), location, "ann", 0, data.length)) {
      patch.send(Bytes.slice(data, 0, sent));
      await().atMost(Duration.ofSeconds(5)).until(() -> stored(location) == sent);
      patch.abort();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> one.offset(location, "ann") == sent);
    HttpResponse<String> resumed =
        one.patch(location, "ann", sent, Bytes.slice(data, sent, data.length));

    assertThat(resumed.statusCode()).isEqualTo(204);
    assertThat(Bytes.sha256(directory.resolve(TusProtocolTest.id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
    assertThat(first.find(TusProtocolTest.id(location)).orElseThrow().state())
        .isEqualTo(UploadState.FINISHED);
  }

  @Test
  void twoInstancesContinueEachOthersUploads() throws Exception {
    byte[] data = Bytes.random(300_000, 22);
    String location = one.create("bob", data.length, Map.of());

    assertThat(one.patch(location, "bob", 0, Bytes.slice(data, 0, 100_000)).statusCode())
        .isEqualTo(204);
    assertThat(two.offset(location, "bob")).isEqualTo(100_000);
    assertThat(
            two.patch(location, "bob", 100_000, Bytes.slice(data, 100_000, 200_000)).statusCode())
        .isEqualTo(204);
    assertThat(
            one.patch(location, "bob", 200_000, Bytes.slice(data, 200_000, 300_000)).statusCode())
        .isEqualTo(204);

    assertThat(second.find(TusProtocolTest.id(location)).orElseThrow().state())
        .isEqualTo(UploadState.FINISHED);
    assertThat(Bytes.sha256(directory.resolve(TusProtocolTest.id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
  }

  @Test
  void concurrentPatchesOnOneUploadNeverInterleave() throws Exception {
    byte[] data = Bytes.random(2 << 20, 23);
    String location = one.create("cat", data.length, Map.of());
    int chunk = 48 * 1024;
    AtomicInteger accepted = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      TusServer server = t % 2 == 0 ? one : two;
      writers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (true) {
                        long offset = server.offset(location, "cat");
                        if (offset == data.length) {
                          return;
                        }
                        int end = (int) Math.min(data.length, offset + chunk);
                        HttpResponse<String> patch =
                            server.patch(
                                location, "cat", offset, Bytes.slice(data, (int) offset, end));
                        if (patch.statusCode() == 204) {
                          accepted.incrementAndGet();
                        }
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread writer : writers) {
      writer.join(Duration.ofSeconds(60));
    }

    long recorded =
        db.withHandle(
            h ->
                h.createQuery("SELECT upload_offset FROM odim_uploads.uploads WHERE id = :id")
                    .bind("id", TusProtocolTest.id(location))
                    .mapTo(Long.class)
                    .one());
    assertThat(recorded).isEqualTo(data.length);
    // A PATCH stopped by another's release request answers 423 with its bytes kept, so the
    // accepted count proves nothing; the recorded offset and the bytes do.
    assertThat(accepted.get()).isPositive();
    assertThat(Bytes.sha256(directory.resolve(TusProtocolTest.id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
  }

  @Test
  void aStaleLeaseOfADeadInstanceIsTakenOverWithinAFewSeconds() throws Exception {
    String location = two.create("dan", 10, Map.of());
    db.useTransaction(
        h ->
            h.createUpdate(
                    "UPDATE odim_uploads.uploads SET lease_holder = 'dead-instance/1',"
                        + " lease_until = clock_timestamp() + interval '2 seconds' WHERE id = :id")
                .bind("id", TusProtocolTest.id(location))
                .execute());

    long started = System.nanoTime();
    HttpResponse<String> patch = two.patch(location, "dan", 0, "0123456789".getBytes());
    Duration waited = Duration.ofNanos(System.nanoTime() - started);

    assertThat(patch.statusCode()).isEqualTo(204);
    assertThat(waited).isLessThan(Duration.ofSeconds(5));
    assertThat(second.find(TusProtocolTest.id(location)).orElseThrow().state())
        .isEqualTo(UploadState.FINISHED);
  }

  @Test
  void aLiveHolderStuckOnASilentClientLetsGoWhenAnotherPatchAsks() throws Exception {
    byte[] data = Bytes.random(200_000, 24);
    String location = one.create("eli", data.length, Map.of());
    int sent = 80_000;

    try (RawPatch stuck = new RawPatch(one.port(), location, "eli", 0, data.length)) {
      stuck.send(Bytes.slice(data, 0, sent));
      await().atMost(Duration.ofSeconds(5)).until(() -> stored(location) == sent);

      long started = System.nanoTime();
      HttpResponse<String> retry = two.patch(location, "eli", 0, Bytes.slice(data, 0, 1_000));
      Duration waited = Duration.ofNanos(System.nanoTime() - started);

      // The holder recorded what it had and let go: the retry at 0 learns the real offset.
      assertThat(waited).isLessThan(LEASE.dividedBy(2));
      assertThat(retry.statusCode()).isEqualTo(409);
      assertThat(retry.headers().firstValue("Upload-Offset")).hasValue(Integer.toString(sent));
      HttpResponse<String> rest =
          two.patch(location, "eli", sent, Bytes.slice(data, sent, data.length));
      assertThat(rest.statusCode()).isEqualTo(204);
    }
    assertThat(Bytes.sha256(directory.resolve(TusProtocolTest.id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
  }

  private long stored(String location) {
    return directory.resolve(TusProtocolTest.id(location).toString()).toFile().length();
  }
}

package dev.odim.uploads.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link UploadStore} must have; an implementation's test extends it and says
 * how to open a store. Shipped in this module's tests jar so that a third store runs it too.
 *
 * <p>Sizes are chosen around 5 MiB, S3's minimum part size, so that an object store configured with
 * 5 MiB parts crosses part boundaries in every way: just below, exactly at, and well past.
 */
public abstract class UploadStoreContract {
  protected static final int MIB = 1024 * 1024;

  private final List<UploadStore> opened = new CopyOnWriteArrayList<>();
  private final Random random = new Random(20261202);

  /**
   * A new store instance on this test's storage. Every call within one test opens the same storage,
   * as another process or a restarted one would; each test gets storage no other test sees. The
   * suite closes the stores.
   */
  protected abstract UploadStore openStore() throws Exception;

  /** The first store of the test, opened on first use. */
  protected final UploadStore store() throws Exception {
    return opened.isEmpty() ? reopen() : opened.get(0);
  }

  /** Another store instance on the same storage. */
  protected final UploadStore reopen() throws Exception {
    UploadStore store = openStore();
    opened.add(store);
    return store;
  }

  @AfterEach
  final void closeStores() throws IOException {
    for (UploadStore store : opened) {
      store.close();
    }
  }

  @Test
  void appendReturnsTheNewDurableOffset() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(15);

    assertThat(store().append(id, 0, in(bytes, 0, 10))).isEqualTo(10);
    assertThat(store().append(id, 10, in(bytes, 10, 5))).isEqualTo(15);
    assertThat(store().append(id, 15, in(new byte[0]))).isEqualTo(15);
    store().finish(id, 15);

    assertThat(read(store(), id)).isEqualTo(bytes);
  }

  @Test
  void appendedBytesAreReadByAReopenedStore() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(6 * MIB + 17);

    long offset = store().append(id, 0, in(bytes, 0, 5 * MIB + 3));
    store().close();
    UploadStore restarted = reopen();
    offset = restarted.append(id, offset, in(bytes, (int) offset, bytes.length - (int) offset));
    assertThat(offset).isEqualTo(bytes.length);
    restarted.finish(id, bytes.length);

    assertThat(sha256(reopen().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void bytesBeyondTheRecordedOffsetAreDiscarded() throws Exception {
    String id = newUpload();
    byte[] recorded = bytes(100);
    store().append(id, 0, in(recorded));
    // written, but the handler crashed before recording offset 150
    assertThat(store().append(id, 100, in(bytes(50)))).isEqualTo(150);
    byte[] resumed = bytes(30);

    assertThat(reopen().append(id, 100, in(resumed))).isEqualTo(130);
    store().finish(id, 130);

    assertThat(read(store(), id)).isEqualTo(concat(recorded, resumed));
  }

  @ParameterizedTest(name = "recorded {0} bytes, then {1} more were written but not recorded")
  @CsvSource({
    "6291456, 5242880", // recorded mid-part, the lost write completed that part and more
    "5242880, 10485761", // recorded at a part boundary; two whole parts past it were lost
    "5242879, 2" // recorded one byte short of a boundary, the lost write crossed it
  })
  void bytesBeyondTheRecordedOffsetAreDiscardedAcrossPartBoundaries(int recordedSize, int lostSize)
      throws Exception {
    String id = newUpload();
    byte[] recorded = bytes(recordedSize);
    assertThat(store().append(id, 0, in(recorded))).isEqualTo(recordedSize);
    assertThat(store().append(id, recordedSize, in(bytes(lostSize))))
        .isEqualTo(recordedSize + lostSize);
    byte[] resumed = bytes(2 * MIB + 1);

    long offset = reopen().append(id, recordedSize, in(resumed));
    assertThat(offset).isEqualTo(recordedSize + resumed.length);
    store().finish(id, offset);

    assertThat(sha256(store().open(id))).isEqualTo(sha256(concat(recorded, resumed)));
  }

  @ParameterizedTest(name = "{0} bytes arrive before the connection breaks")
  @ValueSource(ints = {0, 1000, 5 * MIB + 7})
  void aBrokenInputKeepsWhatArrivedAndReturnsItsOffset(int arrived) throws Exception {
    String id = newUpload();
    byte[] first = bytes(arrived);
    InputStream broken = new SequenceInputStream(in(first), new BrokenInput());

    assertThat(store().append(id, 0, broken)).isEqualTo(arrived);

    byte[] rest = bytes(333);
    assertThat(reopen().append(id, arrived, in(rest))).isEqualTo(arrived + 333L);
    store().finish(id, arrived + 333L);
    assertThat(sha256(store().open(id))).isEqualTo(sha256(concat(first, rest)));
  }

  @ParameterizedTest(name = "{0} bytes in one append")
  @ValueSource(ints = {0, 1, 5 * MIB - 1, 5 * MIB, 17 * MIB + 3})
  void oneAppendOfAnySizeReadsBackIdentical(int size) throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(size);

    assertThat(store().append(id, 0, in(bytes))).isEqualTo(size);
    store().finish(id, size);

    assertThat(sha256(reopen().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void manyAppendsOfOddSizesAcrossPartBoundariesReadBackIdentical() throws Exception {
    String id = newUpload();
    int[] sizes = {1, 5 * MIB - 1, 0, 5 * MIB, 3, 17 * MIB + 3, 1, 2 * MIB - 5};
    byte[] bytes = bytes(Arrays.stream(sizes).sum());
    long offset = 0;
    for (int i = 0; i < sizes.length; i++) {
      // alternate instances, as requests of one upload may reach different servers
      UploadStore store = i % 2 == 0 ? store() : reopen();
      offset = store.append(id, offset, in(bytes, (int) offset, sizes[i]));
    }
    assertThat(offset).isEqualTo(bytes.length);
    store().finish(id, bytes.length);

    assertThat(sha256(store().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void concatenationOfSmallPartsReadsBackInOrder() throws Exception {
    byte[] a = bytes(10);
    byte[] b = bytes(0);
    byte[] c = bytes(MIB + 1);
    String first = finished(a);
    String second = finished(b);
    String third = finished(c);
    String whole = UUID.randomUUID().toString();

    store().concatenate(whole, List.of(first, second, third));

    assertThat(read(reopen(), whole)).isEqualTo(concat(a, b, c));
    assertThat(read(store(), first)).as("parts are left as they are").isEqualTo(a);
  }

  @Test
  void concatenationOfLargePartsReadsBackInOrder() throws Exception {
    byte[] a = bytes(5 * MIB + 1);
    byte[] b = bytes(6 * MIB);
    byte[] c = bytes(100);
    String first = finished(a);
    String second = finished(b);
    String third = finished(c);
    String whole = UUID.randomUUID().toString();

    store().concatenate(whole, List.of(first, second, third));

    assertThat(sha256(reopen().open(whole))).isEqualTo(sha256(concat(a, b, c)));
    assertThat(sha256(store().open(second))).isEqualTo(sha256(b));
  }

  @Test
  void deleteIsIdempotentAndIdsForgetTheUpload() throws Exception {
    String unfinished = newUpload();
    store().append(unfinished, 0, in(bytes(5 * MIB + 10)));
    String finished = finished(bytes(20));
    String kept = finished(bytes(5));

    store().delete(unfinished);
    store().delete(unfinished);
    reopen().delete(finished);
    store().delete(UUID.randomUUID().toString());

    try (Stream<String> ids = reopen().ids()) {
      assertThat(ids.toList()).containsExactly(kept);
    }
    assertThatThrownBy(() -> store().open(finished).close()).isInstanceOf(IOException.class);
  }

  @Test
  void idsListAnUploadRightAfterCreate() throws Exception {
    String id = UUID.randomUUID().toString();
    try (Stream<String> ids = store().ids()) {
      assertThat(ids.toList()).isEmpty();
    }

    store().create(id);
    store().create(id);

    try (Stream<String> ids = reopen().ids()) {
      assertThat(ids.toList()).containsExactly(id);
    }
  }

  @Test
  void concurrentUploadsStaySeparate() throws Exception {
    int uploads = 6;
    List<String> ids = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < uploads; i++) {
      ids.add(newUpload());
      contents.add(bytes(5 * MIB + 1000 * i + 1));
    }
    UploadStore first = store();
    ExecutorService pool = Executors.newFixedThreadPool(uploads);
    try {
      List<Future<Long>> offsets = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        String id = ids.get(i);
        byte[] content = contents.get(i);
        // each upload in chunks of its own size, each chunk from any of two store instances
        int chunk = 1300 * 1024 + 977 * i;
        UploadStore other = reopen();
        offsets.add(
            pool.submit(
                () -> {
                  long offset = 0;
                  int n = 0;
                  while (offset < content.length) {
                    int size = (int) Math.min(chunk, content.length - offset);
                    UploadStore store = n++ % 2 == 0 ? first : other;
                    offset = store.append(id, offset, in(content, (int) offset, size));
                  }
                  first.finish(id, offset);
                  return offset;
                }));
      }
      for (int i = 0; i < uploads; i++) {
        assertThat(offsets.get(i).get()).isEqualTo(contents.get(i).length);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < uploads; i++) {
      assertThat(sha256(store().open(ids.get(i))))
          .as("upload %d", i)
          .isEqualTo(sha256(contents.get(i)));
    }
    try (Stream<String> listed = store().ids()) {
      assertThat(listed.toList()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  // ---- append with durable offsets reported on the way ----

  @Test
  void offsetsAreReportedInOrderWhileTheBodyStillArrives() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(11 * MIB + 5);
    List<Long> reports = new CopyOnWriteArrayList<>();
    CountDownLatch firstReport = new CountDownLatch(1);
    // The body stalls after 6 MiB until the store reports: a store that reports only at the end
    // would make it wait out the timeout and fail below.
    InputStream body = new GatedInput(bytes, 6 * MIB, firstReport);

    long offset =
        store()
            .append(
                id,
                0,
                body,
                5 * MIB,
                reached -> {
                  reports.add(reached);
                  firstReport.countDown();
                  return true;
                });

    assertThat(offset).isEqualTo(bytes.length);
    assertThat(reports).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) bytes.length);
    assertThat(reports.get(0)).isPositive().isLessThanOrEqualTo(6L * MIB);
    assertThat(((GatedInput) body).waitedOut).as("reported before the body ended").isFalse();
    store().finish(id, offset);
    assertThat(sha256(reopen().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void everyReportedOffsetIsDurableAndAPointToResumeFrom() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(11 * MIB + 5);
    List<Long> reports = new CopyOnWriteArrayList<>();
    CountDownLatch firstReport = new CountDownLatch(1);
    store()
        .append(
            id,
            0,
            new GatedInput(bytes, 6 * MIB, firstReport),
            5 * MIB,
            reached -> {
              reports.add(reached);
              firstReport.countDown();
              return true;
            });
    store().close();
    // Another instance resumes from the first report, as after a crash right after it.
    int resumeAt = reports.get(0).intValue();

    UploadStore restarted = reopen();
    long offset =
        restarted.append(
            id, resumeAt, in(bytes, resumeAt, bytes.length - resumeAt), 5 * MIB, reached -> true);
    restarted.finish(id, offset);

    assertThat(offset).isEqualTo(bytes.length);
    assertThat(sha256(reopen().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void aListenerThatAnswersFalseEndsTheAppendAtItsLastReport() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(16 * MIB);
    List<Long> reports = new CopyOnWriteArrayList<>();
    CountDownLatch firstReport = new CountDownLatch(1);

    long offset =
        store()
            .append(
                id,
                0,
                new GatedInput(bytes, 6 * MIB, firstReport),
                5 * MIB,
                reached -> {
                  reports.add(reached);
                  firstReport.countDown();
                  return false;
                });

    assertThat(reports).hasSize(1);
    assertThat(offset).isEqualTo(reports.get(0)).isLessThan(bytes.length);
    // what it wrote beyond that is discarded by the next append from the reported offset
    long resumed =
        reopen().append(id, offset, in(bytes, (int) offset, bytes.length - (int) offset));
    store().finish(id, resumed);
    assertThat(sha256(store().open(id))).isEqualTo(sha256(bytes));
  }

  @ParameterizedTest(name = "{0} bytes arrive before the connection breaks")
  @ValueSource(ints = {0, 1000, 5 * MIB + 7})
  void aBrokenInputIsReportedUpToWhatArrived(int arrived) throws Exception {
    String id = newUpload();
    byte[] first = bytes(arrived);
    List<Long> reports = new CopyOnWriteArrayList<>();
    InputStream broken = new SequenceInputStream(in(first), new BrokenInput());

    long offset = store().append(id, 0, broken, 5 * MIB, reached -> reports.add(reached));

    assertThat(offset).isEqualTo(arrived);
    if (arrived == 0) {
      assertThat(reports).as("nothing stored, nothing reported").isEmpty();
    } else {
      assertThat(reports).isSorted().last().isEqualTo((long) arrived);
    }
  }

  @Test
  void aListenerThatThrowsEndsTheAppendWithItsException() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes(11 * MIB);

    assertThatThrownBy(
            () ->
                store()
                    .append(
                        id,
                        0,
                        in(bytes),
                        5 * MIB,
                        reached -> {
                          throw new IllegalStateException("database gone");
                        }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("database gone");
  }

  /**
   * Bytes that pause at {@code gate} until {@code open} is counted down (at most ten seconds, then
   * they go on and {@link #waitedOut} says so).
   */
  private static final class GatedInput extends InputStream {
    private final byte[] bytes;
    private final int gate;
    private final CountDownLatch open;
    private int position;
    volatile boolean waitedOut;

    GatedInput(byte[] bytes, int gate, CountDownLatch open) {
      this.bytes = bytes;
      this.gate = gate;
      this.open = open;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= bytes.length) {
        return -1;
      }
      if (position == gate) {
        try {
          waitedOut = !open.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      int end = position < gate ? gate : bytes.length;
      int n = Math.min(len, end - position);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      return n;
    }
  }

  /** Creates an upload with a fresh id. */
  protected final String newUpload() throws Exception {
    String id = UUID.randomUUID().toString();
    store().create(id);
    return id;
  }

  /** A finished upload holding {@code bytes}. */
  protected final String finished(byte[] bytes) throws Exception {
    String id = newUpload();
    assertThat(store().append(id, 0, in(bytes))).isEqualTo(bytes.length);
    store().finish(id, bytes.length);
    return id;
  }

  /** Random bytes from the test's seeded generator, so a failure reproduces. */
  protected final byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  protected static InputStream in(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }

  protected static InputStream in(byte[] bytes, int from, int length) {
    return new ByteArrayInputStream(bytes, from, length);
  }

  protected static byte[] read(UploadStore store, String id) throws IOException {
    try (InputStream in = store.open(id)) {
      return in.readAllBytes();
    }
  }

  protected static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  protected static String sha256(InputStream in) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (in) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  protected static byte[] concat(byte[]... arrays) {
    int length = 0;
    for (byte[] array : arrays) {
      length += array.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] array : arrays) {
      System.arraycopy(array, 0, all, at, array.length);
      at += array.length;
    }
    return all;
  }

  /** A client connection that breaks: every read fails. */
  private static final class BrokenInput extends InputStream {
    @Override
    public int read() throws IOException {
      throw new IOException("connection reset");
    }
  }
}

package dev.odim.uploads.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.uploads.store.UploadStore;
import dev.odim.uploads.store.UploadStoreContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The store contract against a real S3-compatible server, plus what only the S3 store does. */
class S3StoreTest extends UploadStoreContract {
  private static final long PART = 5L * MIB;

  @RegisterExtension static final S3ProxyServer S3 = new S3ProxyServer();

  /** Each test's own corner of the bucket. */
  private final String prefix = "t-" + UUID.randomUUID() + "/";

  @TempDir Path temp;

  @Override
  protected UploadStore openStore() {
    // 2 GiB keeps the part size at S3's 5 MiB minimum, the size the contract's cases straddle
    return S3.storeBuilder()
        .keyPrefix(prefix)
        .tempDirectory(temp)
        .partSize(PART)
        .maxUploadSize(2048L * MIB)
        .build();
  }

  @AfterEach
  void leavesNoTemporaryFile() throws IOException {
    try (Stream<Path> files = Files.list(temp)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void aTailSmallerThanAPartIsKeptAsAnIncompletePartObject() throws Exception {
    String id = newUpload();
    assertThat(((S3Store) store()).partSize()).isEqualTo(PART);

    assertThat(store().append(id, 0, in(bytes((int) PART + 10)))).isEqualTo(PART + 10);

    assertThat(keys()).containsExactlyInAnyOrder(id + ".info", id + ".part.2");
    assertThat(size(id + ".part.2")).isEqualTo(10);
    String multipartId = read(id + ".info");
    assertThat(
            S3.client()
                .listParts(
                    b -> b.bucket(S3ProxyServer.BUCKET).key(prefix + id).uploadId(multipartId))
                .parts())
        .singleElement()
        .satisfies(part -> assertThat(part.size()).isEqualTo(PART));
  }

  @Test
  void finishLeavesOnlyTheObject() throws Exception {
    String id = finished(bytes((int) (2 * PART + 3)));

    assertThat(keys()).containsExactly(id);
    assertThat(size(id)).isEqualTo(2 * PART + 3);
  }

  @Test
  void anotherInstanceContinuesAnUploadTheFirstStarted() throws Exception {
    UploadStore first = store();
    UploadStore second = reopen();
    String id = UUID.randomUUID().toString();
    byte[] bytes = bytes(11 * MIB + 5);
    first.create(id);

    long offset = first.append(id, 0, in(bytes, 0, 3 * MIB));
    offset = second.append(id, offset, in(bytes, (int) offset, 4 * MIB));
    offset = first.append(id, offset, in(bytes, (int) offset, bytes.length - (int) offset));
    second.finish(id, offset);

    assertThat(sha256(first.open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void aMultipartUploadWhoseInfoWasNeverWrittenIsListedAndDeleted() throws Exception {
    // create() crashed between starting the multipart upload and writing .info
    String id = UUID.randomUUID().toString();
    S3.client().createMultipartUpload(b -> b.bucket(S3ProxyServer.BUCKET).key(prefix + id));

    try (Stream<String> ids = store().ids()) {
      assertThat(ids.toList()).containsExactly(id);
    }
    store().delete(id);

    assertThat(
            S3.client()
                .listMultipartUploads(b -> b.bucket(S3ProxyServer.BUCKET).prefix(prefix))
                .uploads())
        .isEmpty();
    try (Stream<String> ids = store().ids()) {
      assertThat(ids.toList()).isEmpty();
    }
  }

  @Test
  void sourcesOfWholePartSizesAreConcatenatedByCopyingRanges() throws Exception {
    // the UploadPartCopy path: every source but the last is a whole number of 5 MiB parts
    byte[] a = bytes((int) PART);
    byte[] b = bytes((int) (2 * PART));
    byte[] c = bytes(3);
    List<String> sources = List.of(finished(a), finished(b), finished(c));
    String whole = UUID.randomUUID().toString();

    store().concatenate(whole, sources);

    assertThat(sha256(reopen().open(whole))).isEqualTo(sha256(concat(a, b, c)));
    assertThat(keys())
        .containsExactlyInAnyOrderElementsOf(
            Stream.concat(sources.stream(), Stream.of(whole)).toList());
  }

  @Test
  void aWriterKilledMidUploadLeavesAnUploadThatResumesByteIdentical() throws Exception {
    String id = newUpload();
    long seed = 77;
    Path childTemp = Files.createDirectory(temp.resolve("child"));
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process writer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                KilledWriter.class.getName(),
                S3.endpoint().toString(),
                S3ProxyServer.credentials().get(0),
                S3ProxyServer.credentials().get(1),
                S3ProxyServer.BUCKET,
                prefix,
                childTemp.toString(),
                id,
                Long.toString(seed))
            .redirectErrorStream(true)
            .start();
    long recorded = 0;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // past two part boundaries, then kill -9 while the next append is in flight
      while (recorded < 11L * MIB && (line = out.readLine()) != null) {
        if (line.startsWith("offset ")) {
          recorded = Long.parseLong(line.substring(7));
        }
      }
      writer.destroyForcibly(); // SIGKILL: no finally blocks, no shutdown hooks
      assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(recorded)
        .as("offset the writer reported before it died")
        .isGreaterThanOrEqualTo(11L * MIB);
    byte[] content = KilledWriter.content(seed);

    long offset =
        reopen().append(id, recorded, in(content, (int) recorded, content.length - (int) recorded));
    assertThat(offset).isEqualTo(content.length);
    store().finish(id, content.length);

    assertThat(sha256(store().open(id))).isEqualTo(sha256(content));
    try (Stream<Path> files = Files.walk(childTemp)) {
      // the killed process may leave its half-filled part file behind; nothing else does
      files.filter(Files::isRegularFile).forEach(file -> file.toFile().delete());
    }
    Files.delete(childTemp);
  }

  @Test
  void finishingAgainAfterALostAnswerIsHarmless() throws Exception {
    String id = finished(bytes(100));

    reopen().finish(id, 100);

    assertThat(size(id)).isEqualTo(100);
  }

  @Test
  void finishingAgainAfterACrashBeforeTidyingUpRemovesTheLeftovers() throws Exception {
    String id = newUpload();
    byte[] bytes = bytes((int) PART + 7);
    store().append(id, 0, in(bytes));
    String info = read(id + ".info");
    store().finish(id, bytes.length);
    // the crash: the multipart upload was completed, its .info not yet deleted
    S3.client()
        .putObject(
            b -> b.bucket(S3ProxyServer.BUCKET).key(prefix + id + ".info"),
            RequestBody.fromString(info));

    reopen().finish(id, bytes.length);

    assertThat(keys()).containsExactly(id);
    assertThat(sha256(store().open(id))).isEqualTo(sha256(bytes));
  }

  @Test
  void appendToAnUploadNeverCreatedFails() {
    assertThatThrownBy(() -> store().append(UUID.randomUUID().toString(), 0, in(bytes(1))))
        .isInstanceOf(IOException.class);
  }

  @Test
  void idsWithCharactersOutsideTheKeyAlphabetAreRefused() {
    assertThatThrownBy(() -> store().create("../escape"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store().create("a.info")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void partSizeGrowsSoThatTheLargestUploadFitsInTenThousandParts() {
    long gib = 1024L * MIB;
    for (long max : List.of(1L, 2 * gib, 48 * gib, 100 * gib, 1024 * gib, 5 * 1024 * gib)) {
      for (long part : List.of(PART, 8L * MIB, 64L * MIB)) {
        long effective = S3StoreBuilder.effectivePartSize(part, max);
        assertThat(effective).isGreaterThanOrEqualTo(part);
        assertThat(effective % MIB == 0 || effective == part).isTrue();
        assertThat(Math.ceilDiv(max, effective))
            .as("parts for %d bytes", max)
            .isLessThanOrEqualTo(10_000);
      }
    }
    assertThat(S3StoreBuilder.effectivePartSize(PART, 2 * gib)).isEqualTo(PART);
    assertThat(S3StoreBuilder.effectivePartSize(8L * MIB, 100 * gib)).isEqualTo(11L * MIB);
    assertThat(S3.storeBuilder().maxUploadSize(100 * gib).partSize(8L * MIB).build().partSize())
        .isEqualTo(11L * MIB);
  }

  @Test
  void everySettingIsValidated() {
    assertSetting(S3Store.builder(), "bucket");
    assertSetting(S3.storeBuilder().bucket("Not_A_Bucket"), "bucket");
    assertSetting(S3.storeBuilder().keyPrefix("/abs"), "keyPrefix");
    assertSetting(S3.storeBuilder().tempDirectory(temp.resolve("missing")), "tempDirectory");
    assertSetting(S3.storeBuilder().partSize(5L * MIB - 1), "partSize");
    assertSetting(S3.storeBuilder().partSize(5L * 1024 * MIB + 1), "partSize");
    assertSetting(S3.storeBuilder().maxUploadSize(0), "maxUploadSize");
    assertSetting(S3.storeBuilder().maxUploadSize(5L * 1024 * 1024 * MIB + 1), "maxUploadSize");
    assertSetting(S3.storeBuilder().region("Not a region"), "region");
    assertSetting(
        S3Store.builder().bucket("b-1").client(S3.client()).endpoint(URI.create("http://x")),
        "client");
  }

  private static void assertSetting(S3StoreBuilder builder, String setting) {
    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting));
  }

  private List<String> keys() {
    return S3
        .client()
        .listObjectsV2Paginator(b -> b.bucket(S3ProxyServer.BUCKET).prefix(prefix))
        .contents()
        .stream()
        .map(S3Object::key)
        .map(key -> key.substring(prefix.length()))
        .toList();
  }

  private long size(String name) {
    return S3.client()
        .headObject(b -> b.bucket(S3ProxyServer.BUCKET).key(prefix + name))
        .contentLength();
  }

  private String read(String name) {
    return S3.client()
        .getObjectAsBytes(b -> b.bucket(S3ProxyServer.BUCKET).key(prefix + name))
        .asUtf8String();
  }
}

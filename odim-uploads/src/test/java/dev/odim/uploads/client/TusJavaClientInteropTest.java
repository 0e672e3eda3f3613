package dev.odim.uploads.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.uploads.UploadState;
import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference Java client, tus-java-client 0.5.0 (which sends PATCH as POST with {@code
 * X-HTTP-Method-Override}), against our handler, and handing uploads over to and from our client
 * half-way: both must read the protocol the same way for a resume to come out byte-identical.
 */
@ExtendWith(PostgresExtension.class)
class TusJavaClientInteropTest {
  private static final int CHUNK = 128 * 1024;

  @TempDir static Path storage;
  @TempDir Path dir;
  private static TusServer server;
  private static TusClient ours;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    server = TusServer.start(database, storage);
    ours = TusClient.builder(server.endpoint()).chunkSize(CHUNK).build();
  }

  @AfterAll
  static void stop() throws Exception {
    ours.close();
    server.close();
  }

  private Path file(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  private static io.tus.java.client.TusClient theirs() throws IOException {
    io.tus.java.client.TusClient client = new io.tus.java.client.TusClient();
    client.setUploadCreationURL(server.endpoint().toURL());
    return client;
  }

  private static TusUpload theirUpload(Path file) throws IOException {
    TusUpload upload = new TusUpload(file.toFile());
    upload.setMetadata(Map.of("filename", file.getFileName().toString()));
    return upload;
  }

  private static URI uri(URL url) {
    try {
      return url.toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void tusJavaClientUploadsToOurHandler() throws Exception {
    Path file = file("theirs.bin", 5 * CHUNK + 321);
    TusUploader uploader = theirs().createUpload(theirUpload(file));
    uploader.setChunkSize(CHUNK);
    while (uploader.uploadChunk() > -1) {
      // until the whole file is sent
    }
    uploader.finish();
    URI url = uri(uploader.getUploadURL());
    assertThat(server.info(url).state()).isEqualTo(UploadState.FINISHED);
    assertThat(server.info(url).filename()).isEqualTo("theirs.bin");
    assertThat(server.sha256(url)).isEqualTo(TusServer.sha256(file));
  }

  @Test
  void ourClientResumesWhatTusJavaClientBegan() throws Exception {
    Path file = file("handover.bin", 6 * CHUNK + 17);
    TusUploader uploader = theirs().createUpload(theirUpload(file));
    uploader.setChunkSize(CHUNK);
    while (uploader.getOffset() < 3L * CHUNK) {
      uploader.uploadChunk();
    }
    uploader.finish(true); // closes its connection, leaving the upload unfinished
    long theirOffset = uploader.getOffset();
    URI url = uri(uploader.getUploadURL());

    UploadResult result = ours.upload(Upload.of(file).resumingAt(url));
    assertThat(result).isInstanceOf(UploadResult.Completed.class);
    UploadResult.Completed done = (UploadResult.Completed) result;
    assertThat(done.startOffset()).isEqualTo(theirOffset);
    assertThat(done.bytesSent()).isEqualTo(Files.size(file) - theirOffset);
    assertThat(server.sha256(url)).isEqualTo(TusServer.sha256(file));
  }

  @Test
  void tusJavaClientResumesWhatOurClientBegan() throws Exception {
    Path file = file("handback.bin", 6 * CHUNK + 5);
    AtomicReference<UploadTask> task = new AtomicReference<>();
    task.set(
        ours.start(
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
    URI url = cancelled.url();
    assertThat(url).isNotNull();

    TusUploader uploader = theirs().beginOrResumeUploadFromURL(theirUpload(file), url.toURL());
    assertThat(uploader.getOffset()).isEqualTo(cancelled.offset());
    uploader.setChunkSize(CHUNK);
    while (uploader.uploadChunk() > -1) {
      // the rest
    }
    uploader.finish();
    assertThat(server.info(url).state()).isEqualTo(UploadState.FINISHED);
    assertThat(server.sha256(url)).isEqualTo(TusServer.sha256(file));
  }

  @Test
  void anUploadTusJavaClientFinishedIsCompleteForOurClient() throws IOException, ProtocolException {
    Path file = file("done.bin", 1000);
    TusUploader uploader = theirs().createUpload(theirUpload(file));
    while (uploader.uploadChunk() > -1) {
      // all of it
    }
    uploader.finish();
    URI url = uri(uploader.getUploadURL());
    UploadResult.Completed done =
        (UploadResult.Completed) ours.upload(Upload.of(file).resumingAt(url));
    assertThat(done.startOffset()).isEqualTo(1000);
    assertThat(done.bytesSent()).isZero();
  }
}

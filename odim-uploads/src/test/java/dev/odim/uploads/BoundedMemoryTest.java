package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20 parallel uploads of 8 MiB each (160 MiB) into a server whose whole heap is 64 MiB: a server
 * that held bodies in memory would run out; this one streams them with fixed buffers. It takes
 * about ten seconds (a child JVM, 320 MiB hashed): the only way to prove the bound is to exceed the
 * heap.
 */
@ExtendWith(PostgresExtension.class)
class BoundedMemoryTest {
  private static final int UPLOADS = 20;
  private static final int SIZE = 8 << 20;

  @TempDir Path directory;

  @Test
  void twentyParallelUploadsLargerThanTheHeapTogetherComplete(TestDatabase database)
      throws Exception {
    Path store = directory.resolve("store");
    Path portFile = directory.resolve("port");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                UploadServerMain.class.getName(),
                database.jdbcUrlWithCredentials(),
                store.toString(),
                portFile.toString(),
                Long.toString(16L << 20))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
      int port = Integer.parseInt(Files.readString(portFile));
      try (TusServer client = TusServer.clientOf(port)) {
        List<String> locations = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> patches = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
          String location = client.create("ann", SIZE, Map.of());
          locations.add(location);
          int seed = i;
          patches.add(
              client.client.sendAsync(
                  client
                      .request(location, "ann")
                      .timeout(Duration.ofSeconds(60))
                      .header("Content-Type", "application/offset+octet-stream")
                      .header("Upload-Offset", "0")
                      .method(
                          "PATCH",
                          HttpRequest.BodyPublishers.fromPublisher(
                              HttpRequest.BodyPublishers.ofInputStream(
                                  () -> new Pattern(seed, SIZE)),
                              SIZE))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> patch : patches) {
          assertThat(patch.get().statusCode()).isEqualTo(204);
        }
        assertThat(child.isAlive()).isTrue();
        for (int i = 0; i < UPLOADS; i++) {
          Path file = store.resolve(TusProtocolTest.id(locations.get(i)).toString());
          assertThat(sha256(Files.newInputStream(file))).isEqualTo(sha256(new Pattern(i, SIZE)));
        }
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  private static String sha256(InputStream in) throws Exception {
    try (in) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** {@code size} reproducible bytes that differ per seed, generated, never held. */
  private static final class Pattern extends InputStream {
    private final int seed;
    private final int size;
    private int position;

    Pattern(int seed, int size) {
      this.seed = seed;
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? value(position++) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) value(position + i);
      }
      position += n;
      return n;
    }

    private int value(int at) {
      return ((at >>> 3) * 31 + seed * 7 + (at & 7)) & 0xff;
    }
  }
}

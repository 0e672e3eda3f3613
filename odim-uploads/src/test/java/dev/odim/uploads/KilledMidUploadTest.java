package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server mid-upload: HEAD on a fresh server tells the truth (every byte below the
 * offset is the client's), and the resumed file is byte-identical.
 */
@ExtendWith(PostgresExtension.class)
class KilledMidUploadTest {
  @TempDir Path directory;

  @Test
  void afterKillMinus9HeadTellsTheTruthAndTheResumedFileIsIdentical(TestDatabase database)
      throws Exception {
    byte[] data = Bytes.random(1 << 20, 31);
    Path store = directory.resolve("store");
    Path portFile = directory.resolve("port");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                UploadServerMain.class.getName(),
                database.jdbcUrlWithCredentials(),
                store.toString(),
                portFile.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String location;
    int sent = 400_000;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
      int port = Integer.parseInt(Files.readString(portFile));
      try (TusServer client = TusServer.clientOf(port)) {
        location = client.create("ann", data.length, Map.of());
      }
      try (RawPatch patch = new RawPatch(port, location, "ann", 0, data.length)) {
        patch.send(Arrays.copyOfRange(data, 0, sent));
        Path file = store.resolve(TusProtocolTest.id(location).toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(file) == sent);
        child.destroyForcibly().waitFor();
      }
    } finally {
      child.destroyForcibly();
    }

    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build();
        Uploads uploads =
            Uploads.builder(db)
                .directory(store)
                .access(TusServer.byHeader())
                .leaseTimeout(Duration.ofSeconds(1))
                .build();
        TusServer server = TusServer.serve(uploads.handler())) {
      long offset = server.offset(location, "ann");
      // Segments of 64 KiB are recorded as they complete; the unrecorded tail is never claimed.
      assertThat(offset).isPositive().isLessThanOrEqualTo(sent);
      assertThat(offset % (64 << 10)).isZero();

      // The dead server's lease runs out; the resume then truncates its unrecorded tail.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  server
                          .patch(
                              location,
                              "ann",
                              offset,
                              Arrays.copyOfRange(data, (int) offset, data.length))
                          .statusCode()
                      == 204);

      assertThat(Bytes.sha256(store.resolve(TusProtocolTest.id(location).toString())))
          .isEqualTo(Bytes.sha256(data));
    }
  }
}

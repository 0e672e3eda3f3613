package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.Ids;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Expiration and the clean-up, with a clock the tests move. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpiryAndCleanUpTest {
  private static final Duration EXPIRY = Duration.ofHours(1);

  @TempDir static Path directory;
  private final SettableClock clock = SettableClock.standard();
  private Db db;
  private Uploads uploads;
  private TusServer server;

  @BeforeAll
  void start(TestDatabase database) throws Exception {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    uploads =
        Uploads.builder(db)
            .directory(directory)
            .clock(clock)
            .expiry(EXPIRY)
            .orphanGracePeriod(Duration.ofMinutes(10))
            .access(TusServer.byHeader())
            .build();
    server = TusServer.serve(uploads.handler());
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    uploads.close();
    db.close();
  }

  @Test
  void anExpiredUploadAnswers410OnceAndIsRemoved() throws Exception {
    String location = server.create("ada", 10, Map.of());
    HttpResponse<String> patched = server.patch(location, "ada", 0, "01234".getBytes());
    assertThat(patched.headers().firstValue("Upload-Expires")).isPresent();
    Path file = directory.resolve(TusProtocolTest.id(location).toString());
    assertThat(file).exists();

    clock.advance(EXPIRY.plusSeconds(1));
    HttpResponse<String> expired = server.patch(location, "ada", 5, "56789".getBytes());
    HttpResponse<String> after = server.head(location, "ada");

    assertThat(expired.statusCode()).isEqualTo(410);
    TusProtocolTest.assertProblem(expired, "upload_expired");
    assertThat(after.statusCode()).isEqualTo(404);
    assertThat(file).doesNotExist();
    assertThat(uploads.find(TusProtocolTest.id(location))).isEmpty();
  }

  @Test
  void eachPatchPushesTheExpiryBack() throws Exception {
    String location = server.create("bo", 10, Map.of());
    clock.advance(EXPIRY.minusMinutes(5));
    server.patch(location, "bo", 0, "01234".getBytes());
    clock.advance(Duration.ofMinutes(30));

    assertThat(server.offset(location, "bo")).isEqualTo(5);
  }

  @Test
  void cleanUpRemovesExpiredUploadsAndOldOrphansButNotFinishedOnesOrFreshOrphans()
      throws Exception {
    String abandoned = server.create("cy", 10, Map.of());
    server.patch(abandoned, "cy", 0, "012".getBytes());
    String finished = server.create("cy", 3, Map.of());
    server.patch(finished, "cy", 0, "abc".getBytes());
    Ids oldIds = new Ids(SettableClock.at(clock.instant().minus(Duration.ofHours(2))));
    String oldOrphan = oldIds.next().toString();
    Files.writeString(directory.resolve(oldOrphan), "lost");
    String stranger = "notes.txt";
    Files.writeString(directory.resolve(stranger), "not ours");

    clock.advance(EXPIRY.plusMinutes(1));
    String freshOrphan = new Ids(clock).next().toString();
    Files.writeString(directory.resolve(freshOrphan), "in flight");
    CleanUpReport report = uploads.cleanUp();

    assertThat(report.expired()).isGreaterThanOrEqualTo(1);
    assertThat(report.orphans()).isEqualTo(1);
    assertThat(uploads.find(TusProtocolTest.id(abandoned))).isEmpty();
    assertThat(directory.resolve(TusProtocolTest.id(abandoned).toString())).doesNotExist();
    assertThat(uploads.find(TusProtocolTest.id(finished)).orElseThrow().state())
        .isEqualTo(UploadState.FINISHED);
    assertThat(directory.resolve(TusProtocolTest.id(finished).toString())).exists();
    assertThat(directory.resolve(oldOrphan)).doesNotExist();
    assertThat(directory.resolve(freshOrphan)).exists();
    assertThat(directory.resolve(stranger)).exists();
    assertThat(uploads.cleanUp()).isEqualTo(new CleanUpReport(0, 0));
  }

  @Test
  void anUnjoinedPartialUploadExpiresEvenWhenFinished() throws Exception {
    var created =
        server.send(
            server
                .request("/uploads/", "dot")
                .header("Upload-Length", "2")
                .header("Upload-Concat", "partial")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
    String part = created.headers().firstValue("Location").orElseThrow();
    server.patch(part, "dot", 0, "ab".getBytes());
    UploadInfo info = uploads.find(TusProtocolTest.id(part)).orElseThrow();
    assertThat(info.state()).isEqualTo(UploadState.FINISHED);
    assertThat(info.expiresAt()).isAfter(Instant.from(clock.instant()));

    clock.advance(EXPIRY.plusMinutes(1));
    uploads.cleanUp();

    assertThat(uploads.find(TusProtocolTest.id(part))).isEmpty();
  }
}

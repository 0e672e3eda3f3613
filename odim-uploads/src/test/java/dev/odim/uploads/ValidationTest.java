package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Quota, media types by metadata and by content, and the completion hook's transaction. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidationTest {
  @TempDir static Path directory;
  private final AtomicBoolean hookFails = new AtomicBoolean();
  private Db db;
  private Uploads uploads;
  private TusServer server;

  @BeforeAll
  void start(TestDatabase database) throws Exception {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    db.useTransaction(
        h ->
            h.execute(
                "CREATE TABLE content (upload_id uuid PRIMARY KEY, owner text, media_type text)"));
    uploads =
        Uploads.builder(db)
            .directory(directory)
            .access(TusServer.byHeader())
            .quota(owner -> owner.equals("small") ? 1_000 : Long.MAX_VALUE)
            .allowedMediaTypes(List.of("image/png", "video/mp4"))
            .onCompletion(
                (handle, upload) -> {
                  if (hookFails.get()) {
                    throw new IllegalStateException("the host's table is away");
                  }
                  handle
                      .createUpdate("INSERT INTO content VALUES (:id, :owner, :type)")
                      .bind("id", upload.id())
                      .bind("owner", upload.owner())
                      .bind("type", upload.mediaType())
                      .execute();
                })
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
  void aCreationOverTheOwnersQuotaGets413() throws Exception {
    server.create("small", 600, Map.of("filetype", "image/png"));

    HttpResponse<String> over =
        server.send(
            server
                .request("/uploads/", "small")
                .header("Upload-Length", "500")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(over.statusCode()).isEqualTo(413);
    TusProtocolTest.assertProblem(over, "quota_exceeded");
    assertThat(count("SELECT count(*) FROM odim_uploads.uploads WHERE owner = 'small'"))
        .isEqualTo(1);
  }

  @Test
  void aDisallowedFiletypeIsRefusedAtCreation() throws Exception {
    HttpResponse<String> refused =
        server.send(
            server
                .request("/uploads/", "ann")
                .header("Upload-Length", "5")
                .header("Upload-Metadata", TusServer.metadata(Map.of("filetype", "text/html")))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(refused.statusCode()).isEqualTo(415);
    TusProtocolTest.assertProblem(refused, "media_type_not_allowed");
  }

  @Test
  void anMp4ThatIsReallyAnExecutableIsRefusedOnCompletionAndRemoved() throws Exception {
    byte[] elf = Bytes.random(4_000, 5);
    System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0, elf, 0, 8);
    String location =
        server.create("bea", elf.length, Map.of("filetype", "video/mp4", "filename", "a.mp4"));

    HttpResponse<String> last = server.patch(location, "bea", 0, elf);

    assertThat(last.statusCode()).isEqualTo(415);
    TusProtocolTest.assertProblem(last, "media_type_not_allowed");
    assertThat(server.head(location, "bea").statusCode()).isEqualTo(404);
    assertThat(directory.resolve(TusProtocolTest.id(location).toString())).doesNotExist();
    assertThat(count("SELECT count(*) FROM content WHERE owner = 'bea'")).isZero();
  }

  @Test
  void anMp4ThatIsReallyAPngIsRefusedWhereOnlyVideoIsAllowed(TestDatabase database)
      throws Exception {
    byte[] png = Bytes.png(2_000);
    try (Uploads videoOnly =
            Uploads.builder(db)
                .directory(directory)
                .access(TusServer.byHeader())
                .allowedMediaTypes(List.of("video/*"))
                .build();
        TusServer videos = TusServer.serve(videoOnly.handler())) {
      String location =
          videos.create("eva", png.length, Map.of("filetype", "video/mp4", "filename", "b.mp4"));

      HttpResponse<String> last = videos.patch(location, "eva", 0, png);

      assertThat(last.statusCode()).isEqualTo(415);
      assertThat(last.body()).contains("image/png");
      assertThat(videoOnly.find(TusProtocolTest.id(location))).isEmpty();
    }
  }

  @Test
  void aPngAndAnMp4AreAcceptedAndTheHookCommitsWithTheFinishedState() throws Exception {
    byte[] png = Bytes.png(3_000);
    byte[] mp4 = Bytes.mp4(3_000);
    String pngLocation = server.create("cy", png.length, Map.of("filetype", "video/mp4"));
    String mp4Location = server.create("cy", mp4.length, Map.of("filetype", "video/mp4"));

    assertThat(server.patch(pngLocation, "cy", 0, png).statusCode()).isEqualTo(204);
    assertThat(server.patch(mp4Location, "cy", 0, mp4).statusCode()).isEqualTo(204);

    UploadInfo pngInfo = uploads.find(TusProtocolTest.id(pngLocation)).orElseThrow();
    assertThat(pngInfo.mediaType()).isEqualTo("image/png");
    assertThat(uploads.find(TusProtocolTest.id(mp4Location)).orElseThrow().mediaType())
        .isEqualTo("video/mp4");
    assertThat(
            count(
                "SELECT count(*) FROM content c JOIN odim_uploads.uploads u ON u.id ="
                    + " c.upload_id WHERE u.state = 'finished' AND c.owner = 'cy'"))
        .isEqualTo(2);
  }

  @Test
  void aFailedHookLeavesTheUploadCompleteButUnfinishedAndAnEmptyPatchRetriesIt() throws Exception {
    byte[] png = Bytes.png(1_000);
    String location = server.create("dee", png.length, Map.of());
    hookFails.set(true);
    HttpResponse<String> failed;
    try {
      failed = server.patch(location, "dee", 0, png);
    } finally {
      hookFails.set(false);
    }

    assertThat(failed.statusCode()).isEqualTo(500);
    TusProtocolTest.assertProblem(failed, "completion_failed");
    assertThat(server.offset(location, "dee")).isEqualTo(png.length);
    assertThat(uploads.find(TusProtocolTest.id(location)).orElseThrow().state())
        .isEqualTo(UploadState.UPLOADING);

    HttpResponse<String> retried = server.patch(location, "dee", png.length, new byte[0]);

    assertThat(retried.statusCode()).isEqualTo(204);
    assertThat(uploads.find(TusProtocolTest.id(location)).orElseThrow().state())
        .isEqualTo(UploadState.FINISHED);
    assertThat(count("SELECT count(*) FROM content WHERE owner = 'dee'")).isEqualTo(1);
  }

  private long count(String sql) {
    return db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }
}

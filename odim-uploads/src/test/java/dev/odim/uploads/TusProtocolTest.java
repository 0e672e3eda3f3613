package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** tus 1.0.0 core and every extension, over real HTTP, status code by status code. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TusProtocolTest {
  private static final String OCTET = "application/offset+octet-stream";
  private static final long MAX = 1 << 20;

  @TempDir static Path directory;
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  private Db db;
  private Uploads uploads;
  private TusServer server;

  @BeforeAll
  void start(TestDatabase database) throws Exception {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    uploads =
        Uploads.builder(db)
            .directory(directory)
            .access(TusServer.byHeader())
            .maxSize(MAX)
            .corsOrigins(List.of("https://app.example"))
            .meterRegistry(registry)
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
  void optionsAnnouncesVersionExtensionsMaximumAndChecksums() throws Exception {
    HttpResponse<String> options =
        server.send(
            HttpRequest.newBuilder(server.uri("/uploads/"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(options.statusCode()).isEqualTo(204);
    assertThat(options.headers().firstValue("Tus-Version")).hasValue("1.0.0");
    assertThat(options.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
    assertThat(options.headers().firstValue("Tus-Max-Size")).hasValue(Long.toString(MAX));
    assertThat(options.headers().firstValue("Tus-Extension").orElseThrow().split(","))
        .contains(
            "creation",
            "creation-with-upload",
            "creation-defer-length",
            "expiration",
            "checksum",
            "checksum-trailer",
            "termination",
            "concatenation");
    assertThat(options.headers().firstValue("Tus-Checksum-Algorithm").orElseThrow().split(","))
        .containsExactlyInAnyOrder("sha1", "sha256", "md5");
  }

  @Test
  void aMissingOrOtherVersionGets412WithTheVersionSpoken() throws Exception {
    HttpResponse<String> none =
        server.send(
            HttpRequest.newBuilder(server.uri("/uploads/"))
                .header(TusServer.USER, "ada")
                .header("Upload-Length", "10")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    HttpResponse<String> other =
        server.send(
            HttpRequest.newBuilder(server.uri("/uploads/"))
                .header(TusServer.USER, "ada")
                .header("Tus-Resumable", "0.2.2")
                .header("Upload-Length", "10")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    for (HttpResponse<String> response : List.of(none, other)) {
      assertThat(response.statusCode()).isEqualTo(412);
      assertThat(response.headers().firstValue("Tus-Version")).hasValue("1.0.0");
      assertProblem(response, "unsupported_version");
    }
    assertThat(rows("ada")).isZero();
  }

  @Test
  void creationAnswers201WithALocationAndHeadDescribesTheUpload() throws Exception {
    String metadata =
        TusServer.metadata(Map.of("filename", "ünïcode.txt", "filetype", "text/plain"));
    HttpResponse<String> created =
        server.send(
            server
                .request("/uploads/", "bea")
                .header("Upload-Length", "11")
                .header("Upload-Metadata", metadata + ",flag")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(created.statusCode()).isEqualTo(201);
    String location = created.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches("/uploads/[0-9a-f-]{36}");
    assertThat(created.headers().firstValue("Upload-Expires")).isPresent();
    HttpResponse<String> head = server.head(location, "bea");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Upload-Offset")).hasValue("0");
    assertThat(head.headers().firstValue("Upload-Length")).hasValue("11");
    assertThat(head.headers().firstValue("Upload-Metadata")).hasValue(metadata + ",flag");
    assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(head.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
    UploadInfo info = uploads.find(id(location)).orElseThrow();
    assertThat(info.owner()).isEqualTo("bea");
    assertThat(info.metadata()).containsEntry("filename", "ünïcode.txt").containsEntry("flag", "");
    assertThat(info.state()).isEqualTo(UploadState.UPLOADING);
  }

  @Test
  void patchAppendsAndAnswers204WithTheNewOffsetUntilTheUploadIsFinished() throws Exception {
    byte[] data = Bytes.random(100_000, 1);
    String location = server.create("cy", data.length, Map.of());

    HttpResponse<String> first = server.patch(location, "cy", 0, Bytes.slice(data, 0, 40_000));
    HttpResponse<String> second =
        server.patch(location, "cy", 40_000, Bytes.slice(data, 40_000, data.length));

    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(first.headers().firstValue("Upload-Offset")).hasValue("40000");
    assertThat(second.statusCode()).isEqualTo(204);
    assertThat(second.headers().firstValue("Upload-Offset")).hasValue("100000");
    assertThat(Bytes.sha256(directory.resolve(id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
    UploadInfo info = uploads.find(id(location)).orElseThrow();
    assertThat(info.state()).isEqualTo(UploadState.FINISHED);
    assertThat(info.expiresAt()).isNull();
    assertThat(info.mediaType()).isEqualTo("application/octet-stream");
    assertThat(registry.get("odim.uploads").tag("outcome", "completed").counter().count())
        .isPositive();
  }

  @Test
  void patchWithAnotherContentTypeGets415AndWritesNothing() throws Exception {
    String location = server.create("dee", 10, Map.of());

    HttpResponse<String> patch =
        server.send(
            server
                .request(location, "dee")
                .header("Content-Type", "application/json")
                .header("Upload-Offset", "0")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("0123456789"))
                .build());

    assertThat(patch.statusCode()).isEqualTo(415);
    assertProblem(patch, "unsupported_media_type");
    assertThat(server.offset(location, "dee")).isZero();
  }

  @Test
  void patchAtAnotherOffsetGets409AndWritesNothing() throws Exception {
    String location = server.create("eve", 10, Map.of());
    server.patch(location, "eve", 0, "01234".getBytes());

    HttpResponse<String> behind = server.patch(location, "eve", 0, "56789".getBytes());
    HttpResponse<String> ahead = server.patch(location, "eve", 7, "789".getBytes());

    assertThat(behind.statusCode()).isEqualTo(409);
    assertThat(ahead.statusCode()).isEqualTo(409);
    assertProblem(behind, "offset_mismatch");
    assertThat(server.offset(location, "eve")).isEqualTo(5);
    assertThat(Files.readString(directory.resolve(id(location).toString()))).isEqualTo("01234");
  }

  @Test
  void uploadsAboveTheMaximumGet413() throws Exception {
    HttpResponse<String> create =
        server.send(
            server
                .request("/uploads/", "fay")
                .header("Upload-Length", Long.toString(MAX + 1))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    String location = server.create("fay", 10, Map.of());
    HttpResponse<String> overLong = server.patch(location, "fay", 0, new byte[11]);

    assertThat(create.statusCode()).isEqualTo(413);
    assertProblem(create, "upload_too_large");
    assertThat(overLong.statusCode()).isEqualTo(413);
    assertThat(server.offset(location, "fay")).isZero();
    assertThat(rows("fay")).isEqualTo(1);
  }

  @Test
  void creationWithUploadStoresTheFirstBytes() throws Exception {
    HttpResponse<String> created =
        server.send(
            server
                .request("/uploads/", "gus")
                .header("Upload-Length", "10")
                .header("Content-Type", OCTET)
                .POST(HttpRequest.BodyPublishers.ofString("01234"))
                .build());

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Upload-Offset")).hasValue("5");
    String location = created.headers().firstValue("Location").orElseThrow();
    assertThat(server.offset(location, "gus")).isEqualTo(5);
    assertThat(server.patch(location, "gus", 5, "56789".getBytes()).statusCode()).isEqualTo(204);
    assertThat(Files.readString(directory.resolve(id(location).toString())))
        .isEqualTo("0123456789");
  }

  @Test
  void aDeferredLengthIsDeclaredByALaterPatch() throws Exception {
    HttpResponse<String> created =
        server.send(
            server
                .request("/uploads/", "hal")
                .header("Upload-Defer-Length", "1")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    String location = created.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> head = server.head(location, "hal");
    HttpResponse<String> first = server.patch(location, "hal", 0, "abc".getBytes());
    HttpResponse<String> last =
        server.send(
            server
                .request(location, "hal")
                .header("Content-Type", OCTET)
                .header("Upload-Offset", "3")
                .header("Upload-Length", "6")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("def"))
                .build());

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(head.headers().firstValue("Upload-Defer-Length")).hasValue("1");
    assertThat(head.headers().firstValue("Upload-Length")).isEmpty();
    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(last.statusCode()).isEqualTo(204);
    UploadInfo info = uploads.find(id(location)).orElseThrow();
    assertThat(info.length()).hasValue(6);
    assertThat(info.state()).isEqualTo(UploadState.FINISHED);
  }

  @Test
  void methodOverrideLetsAPostActAsPatchAndDelete() throws Exception {
    String location = server.create("ivy", 4, Map.of());

    HttpResponse<String> patch =
        server.send(
            server
                .request(location, "ivy")
                .header("X-HTTP-Method-Override", "PATCH")
                .header("Content-Type", OCTET)
                .header("Upload-Offset", "0")
                .POST(HttpRequest.BodyPublishers.ofString("ab"))
                .build());
    HttpResponse<String> delete =
        server.send(
            server
                .request(location, "ivy")
                .header("X-HTTP-Method-Override", "DELETE")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(patch.statusCode()).isEqualTo(204);
    assertThat(patch.headers().firstValue("Upload-Offset")).hasValue("2");
    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(server.head(location, "ivy").statusCode()).isEqualTo(404);
  }

  @Test
  void terminationAnswers204AndRemovesRowAndBytes() throws Exception {
    String location = server.create("jon", 10, Map.of());
    server.patch(location, "jon", 0, "01234".getBytes());

    HttpResponse<String> delete = server.send(server.request(location, "jon").DELETE().build());

    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(uploads.find(id(location))).isEmpty();
    assertThat(directory.resolve(id(location).toString())).doesNotExist();
    HttpResponse<String> patch = server.patch(location, "jon", 5, "56789".getBytes());
    assertThat(patch.statusCode()).isEqualTo(404);
    assertProblem(patch, "upload_not_found");
    // A refusal without a detail of its own still carries a human message (the title).
    assertThat(patch.body()).contains("\"detail\":\"There is no such upload.\"");
  }

  @Test
  void aMatchingChecksumIsStoredAndAMismatchGets460AndLeavesTheStoreUntouched() throws Exception {
    String location = server.create("kim", 10, Map.of());
    byte[] first = "01234".getBytes();
    byte[] second = "56789".getBytes();

    HttpResponse<String> good = checksummed(location, "kim", 0, first, "sha256", first);
    HttpResponse<String> bad = checksummed(location, "kim", 5, second, "sha1", "other".getBytes());
    HttpResponse<String> md5 = checksummed(location, "kim", 5, second, "md5", second);
    HttpResponse<String> unknown =
        server.send(
            server
                .request(location, "kim")
                .header("Content-Type", OCTET)
                .header("Upload-Offset", "10")
                .header("Upload-Checksum", "crc32 AAAAAA==")
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(good.statusCode()).isEqualTo(204);
    assertThat(bad.statusCode()).isEqualTo(460);
    assertProblem(bad, "checksum_mismatch");
    assertThat(md5.statusCode()).isEqualTo(204);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertProblem(unknown, "checksum_algorithm_unsupported");
    assertThat(Files.readString(directory.resolve(id(location).toString())))
        .isEqualTo("0123456789");
  }

  @Test
  void partialUploadsSentInParallelJoinIntoAFinalUpload() throws Exception {
    byte[] data = Bytes.random(300_000, 3);
    String[] parts = new String[3];
    List<Thread> senders = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int part = i;
      HttpResponse<String> created =
          server.send(
              server
                  .request("/uploads/", "lea")
                  .header("Upload-Length", "100000")
                  .header("Upload-Concat", "partial")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build());
      parts[part] = created.headers().firstValue("Location").orElseThrow();
      senders.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      server.patch(
                          parts[part],
                          "lea",
                          0,
                          Bytes.slice(data, part * 100_000, (part + 1) * 100_000));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread sender : senders) {
      sender.join();
    }

    HttpResponse<String> joined =
        server.send(
            server
                .request("/uploads/", "lea")
                .header(
                    "Upload-Concat",
                    "final;" + parts[0] + " " + server.uri(parts[1]) + " " + parts[2])
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(joined.statusCode()).isEqualTo(201);
    String location = joined.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> head = server.head(location, "lea");
    assertThat(head.headers().firstValue("Upload-Length")).hasValue("300000");
    assertThat(head.headers().firstValue("Upload-Offset")).hasValue("300000");
    assertThat(head.headers().firstValue("Upload-Concat").orElseThrow())
        .startsWith("final;/uploads/")
        .contains(id(parts[1]).toString());
    assertThat(server.head(parts[0], "lea").headers().firstValue("Upload-Concat"))
        .hasValue("partial");
    assertThat(Bytes.sha256(directory.resolve(id(location).toString())))
        .isEqualTo(Bytes.sha256(data));
    UploadInfo info = uploads.find(id(location)).orElseThrow();
    assertThat(info.concat()).isEqualTo(UploadConcat.FINAL);
    assertThat(info.state()).isEqualTo(UploadState.FINISHED);
    assertThat(server.patch(location, "lea", 300_000, new byte[1]).statusCode()).isEqualTo(403);
  }

  @Test
  void aFinalUploadOfUnfinishedPartsIsRefused() throws Exception {
    HttpResponse<String> created =
        server.send(
            server
                .request("/uploads/", "max")
                .header("Upload-Length", "10")
                .header("Upload-Concat", "partial")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    String part = created.headers().firstValue("Location").orElseThrow();

    HttpResponse<String> joined =
        server.send(
            server
                .request("/uploads/", "max")
                .header("Upload-Concat", "final;" + part)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(joined.statusCode()).isEqualTo(400);
    assertProblem(joined, "invalid_concat");
    assertThat(rows("max")).isEqualTo(1);
  }

  @Test
  void corsPreflightAllowsTheConfiguredOriginAndResponsesExposeTusHeaders() throws Exception {
    HttpResponse<String> preflight =
        server.send(
            HttpRequest.newBuilder(server.uri("/uploads/"))
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "PATCH")
                .header("Access-Control-Request-Headers", "tus-resumable, upload-offset")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    HttpResponse<String> stranger =
        server.send(
            HttpRequest.newBuilder(server.uri("/uploads/"))
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "PATCH")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    HttpResponse<String> created =
        server.send(
            server
                .request("/uploads/", "ned")
                .header("Origin", "https://app.example")
                .header("Upload-Length", "1")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://app.example");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("PATCH", "HEAD", "DELETE", "POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Tus-Resumable", "Upload-Offset", "Upload-Metadata", "Upload-Checksum");
    assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(created.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://app.example");
    assertThat(created.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("Location", "Upload-Offset", "Upload-Length", "Tus-Resumable", "Upload-Expires");
  }

  @Test
  void anUnauthenticatedCallerGets401AndAnotherOwnerSeesNoUpload() throws Exception {
    String location = server.create("ola", 10, Map.of());

    HttpResponse<String> anonymous =
        server.send(
            HttpRequest.newBuilder(server.uri(location))
                .header("Tus-Resumable", "1.0.0")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    HttpResponse<String> stranger = server.patch(location, "pia", 0, "x".getBytes());
    HttpResponse<String> strangerDelete =
        server.send(server.request(location, "pia").DELETE().build());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(strangerDelete.statusCode()).isEqualTo(404);
    assertThat(server.offset(location, "ola")).isZero();
  }

  @Test
  void badInputGets4xxProblemsAndWritesNothing() throws Exception {
    String location = server.create("quinn", 10, Map.of());
    List<HttpResponse<String>> answers =
        List.of(
            post("quinn", Map.of("Upload-Length", "10", "Upload-Metadata", "filename *not64*")),
            post("quinn", Map.of("Upload-Length", "10", "Upload-Metadata", "a YQ==,a YQ==")),
            post("quinn", Map.of("Upload-Length", "10", "Upload-Metadata", "a YQ== b")),
            post("quinn", Map.of("Upload-Length", "-1")),
            post("quinn", Map.of("Upload-Length", "ten")),
            post("quinn", Map.of("Upload-Length", "99999999999999999999999")),
            post("quinn", Map.of()),
            post("quinn", Map.of("Upload-Length", "1", "Upload-Defer-Length", "1")),
            post("quinn", Map.of("Upload-Defer-Length", "2")),
            post("quinn", Map.of("Upload-Concat", "final;/uploads/not-an-id")),
            post("quinn", Map.of("Upload-Concat", "sideways")),
            patchAlone(location + "x"),
            patchAlone("/uploads/..etc.passwd"),
            patchAlone("/uploads/a/" + UUID.randomUUID()),
            patchAlone("/uploads/" + UUID.randomUUID()),
            patchWithOffset(location, "-5"),
            patchWithOffset(location, "abc"),
            patchWithOffset(location, "1e3"),
            checksummedRaw(location, "sha256 %%%"),
            checksummedRaw(location, "sha256"));

    for (HttpResponse<String> answer : answers) {
      assertThat(answer.statusCode()).as(answer.toString()).isBetween(400, 499);
      assertThat(answer.headers().firstValue("Content-Type"))
          .as(answer.toString())
          .hasValue("application/problem+json");
      assertThat(answer.body()).contains("\"code\"");
    }
    assertThat(rows("quinn")).isEqualTo(1);
    assertThat(server.offset(location, "quinn")).isZero();
  }

  private HttpResponse<String> post(String user, Map<String, String> headers) throws Exception {
    HttpRequest.Builder post =
        server.request("/uploads/", user).POST(HttpRequest.BodyPublishers.noBody());
    headers.forEach(post::header);
    return server.sendAlone(post.build());
  }

  private HttpResponse<String> patchAlone(String path) throws Exception {
    return server.sendAlone(server.patchRequest(path, "quinn", 0, "a".getBytes()));
  }

  private HttpResponse<String> patchWithOffset(String location, String offset) throws Exception {
    return server.sendAlone(
        server
            .request(location, "quinn")
            .header("Content-Type", OCTET)
            .header("Upload-Offset", offset)
            .method("PATCH", HttpRequest.BodyPublishers.ofString("a"))
            .build());
  }

  private HttpResponse<String> checksummedRaw(String location, String checksum) throws Exception {
    return server.sendAlone(
        server
            .request(location, "quinn")
            .header("Content-Type", OCTET)
            .header("Upload-Offset", "0")
            .header("Upload-Checksum", checksum)
            .method("PATCH", HttpRequest.BodyPublishers.ofString("a"))
            .build());
  }

  private HttpResponse<String> checksummed(
      String location, String user, long offset, byte[] body, String algorithm, byte[] digested)
      throws Exception {
    String jdk =
        switch (algorithm) {
          case "sha1" -> "SHA-1";
          case "sha256" -> "SHA-256";
          default -> "MD5";
        };
    String digest =
        Base64.getEncoder().encodeToString(MessageDigest.getInstance(jdk).digest(digested));
    return server.send(
        server
            .request(location, user)
            .header("Content-Type", OCTET)
            .header("Upload-Offset", Long.toString(offset))
            .header("Upload-Checksum", algorithm + " " + digest)
            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static void assertProblem(HttpResponse<String> response, String code) {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.body()).contains("\"code\":\"" + code + "\"");
  }

  private long rows(String owner) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM odim_uploads.uploads WHERE owner = :owner")
                .bind("owner", owner)
                .mapTo(Long.class)
                .one());
  }

  static UUID id(String location) {
    return UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
  }
}

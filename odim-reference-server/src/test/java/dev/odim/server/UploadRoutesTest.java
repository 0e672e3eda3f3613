package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Creators upload content over tus at {@code /uploads/} on the real server: in several PATCHes, as
 * one 20 MiB PATCH past the JSON routes' body limit, only as creators, only their own uploads, only
 * allowed types; the finished upload is a content record in the same transaction, and the clean-up
 * schedule removes expired uploads when the clock passes their expiry.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadRoutesTest {
  private static final String TUS = "1.0.0";
  private static final String OCTET_STREAM = "application/offset+octet-stream";

  /** The first bytes of a PNG file: what the server sniffs the content's type from. */
  private static final byte[] PNG =
      new byte[] {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
      };

  private final SettableClock clock = SettableClock.at(Instant.parse("2026-12-01T09:00:00Z"));
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger users = new AtomicInteger();
  private Path data;
  private OdimServer server;

  @BeforeAll
  void start(TestDatabase database) {
    data = TestServers.dataDirectory();
    server =
        TestServers.start(
            database.jdbcUrlWithCredentials(),
            Map.of("ODIM_DATA", data.toString()),
            clock,
            api -> {});
  }

  @AfterAll
  void stop() {
    server.stop();
  }

  @Test
  void aCreatorUploadsInSeveralPatchesAndTheContentIsRecorded() throws Exception {
    String creator = signup("creator");
    byte[] file = file(6 * 1024 * 1024 + 12_345);

    String location = create(creator, file.length, "holiday.png", "image/png");
    int chunk = 2 * 1024 * 1024 + 7; // offsets that fall on no power of two
    int patches = 0;
    for (int offset = 0; offset < file.length; offset += chunk) {
      byte[] part = Arrays.copyOfRange(file, offset, Math.min(file.length, offset + chunk));
      HttpResponse<String> patched = patch(creator, location, offset, part);
      assertThat(patched.statusCode()).as(patched.body()).isEqualTo(204);
      assertThat(patched.headers().firstValue("Upload-Offset"))
          .hasValue(Long.toString(offset + part.length));
      patches++;
    }

    assertThat(patches).isEqualTo(4);
    HttpResponse<String> head = tus("HEAD", location, creator, Map.of());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Upload-Offset")).hasValue(Integer.toString(file.length));
    JsonNode contents = get("/api/creators/me/contents", creator);
    assertThat(contents.get("contents")).hasSize(1);
    JsonNode content = contents.get("contents").get(0);
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertThat(content.get("id").asText()).isEqualTo(id);
    assertThat(content.get("filename").asText()).isEqualTo("holiday.png");
    assertThat(content.get("mediaType").asText()).isEqualTo("image/png");
    assertThat(content.get("size").asLong()).isEqualTo(file.length);
    assertThat(sha256(Files.readAllBytes(data.resolve("uploads").resolve(id))))
        .isEqualTo(sha256(file));
    assertThat(metrics()).contains("odim_uploads_total{outcome=\"completed\"}");
  }

  @Test
  void oneTwentyMebibytePatchIsNotHeldToTheJsonBodyLimit() throws Exception {
    String creator = signup("creator");
    byte[] file = file(20 * 1024 * 1024);
    String location = create(creator, file.length, "big.png", "image/png");

    HttpResponse<String> patched = patch(creator, location, 0, file);

    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(204);
    assertThat(patched.headers().firstValue("Upload-Offset"))
        .hasValue(Integer.toString(file.length));
    assertThat(
            get("/api/creators/me/contents", creator).get("contents").get(0).get("size").asLong())
        .isEqualTo(file.length);
  }

  @Test
  void onlyCreatorsWithASessionMayUploadAndOptionsIsPublic() throws Exception {
    String creator = signup("creator");
    String location = create(creator, 100, "a.png", "image/png");
    String fan = signup("fan");

    for (String method : List.of("POST", "HEAD", "PATCH", "DELETE")) {
      String path = method.equals("POST") ? "/uploads/" : location;
      HttpResponse<String> anonymous = tus(method, path, null, Map.of("Upload-Length", "100"));
      assertThat(anonymous.statusCode()).as("%s without a session", method).isEqualTo(401);
      HttpResponse<String> asFan = tus(method, path, fan, Map.of("Upload-Length", "100"));
      assertThat(asFan.statusCode()).as("%s as a fan", method).isEqualTo(403);
      if (!method.equals("HEAD")) {
        assertThat(code(anonymous)).isEqualTo("unauthenticated");
        assertThat(code(asFan)).isEqualTo("forbidden");
      }
    }
    HttpResponse<String> options = tus("OPTIONS", "/uploads/", null, Map.of());
    assertThat(options.statusCode()).isEqualTo(204);
    assertThat(options.headers().firstValue("Tus-Version")).hasValue(TUS);
    assertThat(options.headers().firstValue("Tus-Max-Size")).hasValue(Long.toString(2L << 30));
    assertThat(tus("HEAD", location, creator, Map.of()).headers().firstValue("Upload-Offset"))
        .hasValue("0");
  }

  @Test
  void anotherCreatorCannotSeeTouchOrRemoveAnUpload() throws Exception {
    String owner = signup("creator");
    String other = signup("creator");
    String location = create(owner, 1_000, "mine.png", "image/png");
    assertThat(patch(owner, location, 0, Arrays.copyOf(PNG, 100)).statusCode()).isEqualTo(204);

    assertThat(tus("HEAD", location, other, Map.of()).statusCode()).isEqualTo(404);
    HttpResponse<String> patched = patch(other, location, 100, new byte[100]);
    assertThat(patched.statusCode()).isEqualTo(404);
    assertThat(code(patched)).isEqualTo("upload_not_found");
    HttpResponse<String> deleted = tus("DELETE", location, other, Map.of());
    assertThat(deleted.statusCode()).isEqualTo(404);
    assertThat(code(deleted)).isEqualTo("upload_not_found");

    HttpResponse<String> head = tus("HEAD", location, owner, Map.of());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Upload-Offset")).hasValue("100");
  }

  @Test
  void filesOfOtherTypesOrSizesAreRefusedWithAProblem() throws Exception {
    String creator = signup("creator");

    HttpResponse<String> claimed =
        tus("POST", "/uploads/", creator, tusCreation(10, "setup.exe", "application/x-msdownload"));
    assertThat(claimed.statusCode()).isEqualTo(415);
    assertThat(claimed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(code(claimed)).isEqualTo("media_type_not_allowed");

    HttpResponse<String> tooLarge =
        tus("POST", "/uploads/", creator, tusCreation((2L << 30) + 1, "huge.png", "image/png"));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(code(tooLarge)).isEqualTo("upload_too_large");

    // The name and the claimed type say PNG; the bytes are a Windows program.
    byte[] program = new byte[4096];
    program[0] = 'M';
    program[1] = 'Z';
    String location = create(creator, program.length, "photo.png", "image/png");
    HttpResponse<String> sniffed = patch(creator, location, 0, program);
    assertThat(sniffed.statusCode()).isEqualTo(415);
    assertThat(code(sniffed)).isEqualTo("media_type_not_allowed");
    assertThat(get("/api/creators/me/contents", creator).get("contents")).isEmpty();
  }

  @Test
  void aDeletedUploadIsGone() throws Exception {
    String creator = signup("creator");
    String location = create(creator, 1_000, "gone.png", "image/png");
    assertThat(patch(creator, location, 0, Arrays.copyOf(PNG, 300)).statusCode()).isEqualTo(204);

    assertThat(tus("DELETE", location, creator, Map.of()).statusCode()).isEqualTo(204);

    assertThat(tus("HEAD", location, creator, Map.of()).statusCode()).isEqualTo(404);
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertThat(data.resolve("uploads").resolve(id)).doesNotExist();
  }

  @Test
  void theContentsListIsPagedWithACursor() throws Exception {
    String creator = signup("creator");
    for (int i = 0; i < 3; i++) {
      String location = create(creator, PNG.length, "page-" + i + ".png", "image/png");
      assertThat(patch(creator, location, 0, PNG).statusCode()).isEqualTo(204);
      clock.advance(Duration.ofSeconds(1));
    }

    JsonNode first = get("/api/creators/me/contents?limit=2", creator);
    JsonNode second =
        get(
            "/api/creators/me/contents?limit=2&cursor=" + first.get("nextCursor").asText(),
            creator);

    assertThat(first.get("contents").findValuesAsText("filename"))
        .containsExactly("page-2.png", "page-1.png");
    assertThat(second.get("contents").findValuesAsText("filename")).containsExactly("page-0.png");
    assertThat(second.get("nextCursor").isNull()).isTrue();
    HttpResponse<String> bad =
        http.send(
            request("/api/creators/me/contents?cursor=bm90LWEtY3Vyc29y", creator).GET().build(),
            BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(code(bad)).isEqualTo("validation_failed");
  }

  @Test
  void theCleanUpScheduleRemovesAnExpiredUpload() throws Exception {
    String creator = signup("creator");
    String location = create(creator, 10_000, "left.png", "image/png");
    assertThat(patch(creator, location, 0, Arrays.copyOf(PNG, 500)).statusCode()).isEqualTo(204);
    UUID id = UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
    Path bytes = data.resolve("uploads").resolve(id.toString());
    assertThat(bytes).exists();

    // Past the 24 hours an unfinished upload lives after its last write, into a new 15-minute slot.
    clock.advance(Duration.ofHours(24).plusMinutes(20));

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                server
                        .db()
                        .withHandle(
                            h ->
                                h.createQuery(
                                        "SELECT count(*) FROM odim_uploads.uploads WHERE id = :id")
                                    .bind("id", id)
                                    .mapTo(Long.class)
                                    .one())
                    == 0);
    assertThat(bytes).doesNotExist();
    assertThat(metrics()).contains("odim_uploads_total{outcome=\"expired\"}");
  }

  // ---- helpers ----

  /** A file that sniffs as PNG, the rest random. */
  private static byte[] file(int size) {
    byte[] file = new byte[size];
    new Random(size).nextBytes(file);
    System.arraycopy(PNG, 0, file, 0, PNG.length);
    return file;
  }

  private String create(String cookie, long length, String filename, String type) throws Exception {
    HttpResponse<String> created =
        tus("POST", "/uploads/", cookie, tusCreation(length, filename, type));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return created.headers().firstValue("Location").orElseThrow();
  }

  private static Map<String, String> tusCreation(long length, String filename, String type) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Upload-Length", Long.toString(length));
    headers.put("Upload-Metadata", "filename " + base64(filename) + ",filetype " + base64(type));
    return headers;
  }

  private HttpResponse<String> patch(String cookie, String location, long offset, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        request(location, cookie)
            .method("PATCH", BodyPublishers.ofByteArray(body))
            .header("Tus-Resumable", TUS)
            .header("Content-Type", OCTET_STREAM)
            .header("Upload-Offset", Long.toString(offset));
    return http.send(request.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> tus(
      String method, String path, @Nullable String cookie, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        request(path, cookie).method(method, BodyPublishers.noBody()).header("Tus-Resumable", TUS);
    headers.forEach(request::header);
    return http.send(request.build(), BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path, @Nullable String cookie) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.baseUri().resolve(path));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return request;
  }

  private JsonNode get(String path, String cookie) throws Exception {
    HttpResponse<String> response =
        http.send(request(path, cookie).GET().build(), BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private String metrics() throws Exception {
    return http.send(request("/metrics", null).GET().build(), BodyHandlers.ofString()).body();
  }

  private String code(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    return json.readTree(response.body()).path("code").asText();
  }

  /** Signs up a new user of {@code role}; returns the session cookie to send. */
  private String signup(String role) throws Exception {
    String body =
        json.writeValueAsString(
            Map.of(
                "email",
                    role + "-" + users.incrementAndGet() + "-" + UUID.randomUUID() + "@odim.test",
                "password", "plausible walrus " + UUID.randomUUID(),
                "name", "Test " + role,
                "role", role));
    HttpResponse<String> answer =
        http.send(
            request("/api/auth/signup", null)
                .POST(BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build(),
            BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
    return answer.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}

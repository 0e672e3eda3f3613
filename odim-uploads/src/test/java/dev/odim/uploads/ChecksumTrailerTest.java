package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * checksum-trailer: the digest arrives after a chunked body. No JDK client sends trailers, so the
 * request is written by hand.
 */
@ExtendWith(PostgresExtension.class)
class ChecksumTrailerTest {
  @TempDir Path directory;

  @Test
  void aChecksumTrailerIsVerifiedAfterTheBody(TestDatabase database) throws Exception {
    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build();
        Uploads uploads =
            Uploads.builder(db).directory(directory).access(TusServer.byHeader()).build();
        TusServer server = TusServer.serve(uploads.handler())) {
      String location = server.create("ann", 10, Map.of());

      String mismatch = send(server.port(), location, 0, "01234", "sha1", "other");
      String good = send(server.port(), location, 0, "01234", "sha256", "01234");
      String missing = send(server.port(), location, 5, "56789", null, null);

      assertThat(mismatch).startsWith("HTTP/1.1 460");
      assertThat(good).startsWith("HTTP/1.1 204");
      assertThat(missing).startsWith("HTTP/1.1 400");
      assertThat(server.offset(location, "ann")).isEqualTo(5);
      assertThat(Files.readString(directory.resolve(TusProtocolTest.id(location).toString())))
          .isEqualTo("01234");
    }
  }

  private static String send(
      int port, String path, long offset, String body, String algorithm, String digested)
      throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      String trailer = "";
      if (algorithm != null) {
        String jdk = algorithm.equals("sha1") ? "SHA-1" : "SHA-256";
        trailer =
            "Upload-Checksum: "
                + algorithm
                + " "
                + Base64.getEncoder()
                    .encodeToString(
                        MessageDigest.getInstance(jdk)
                            .digest(digested.getBytes(StandardCharsets.UTF_8)))
                + "\r\n";
      }
      String request =
          "PATCH "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nX-User: ann\r\n"
              + "Content-Type: application/offset+octet-stream\r\nUpload-Offset: "
              + offset
              + "\r\nTransfer-Encoding: chunked\r\nTrailer: Upload-Checksum\r\n"
              + "Connection: close\r\n\r\n"
              + Integer.toHexString(body.length())
              + "\r\n"
              + body
              + "\r\n0\r\n"
              + trailer
              + "\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      return in.readLine();
    }
  }
}

package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TcpProxy;
import dev.odim.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With PostgreSQL unreachable, the handler answers 503 (never 500) and the upload resumes after.
 */
@ExtendWith(PostgresExtension.class)
class DatabaseOutageTest {
  @TempDir Path directory;

  @Test
  void anOutageAnswers503AndTheUploadResumesAfterIt(TestDatabase database) throws Exception {
    URI direct = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    try (TcpProxy proxy = TcpProxy.to(direct.getHost(), direct.getPort());
        Db db =
            Db.builder(
                    database
                        .jdbcUrlWithCredentials()
                        .replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/"))
                .connectionTimeout(Duration.ofMillis(500))
                .build();
        Uploads uploads =
            Uploads.builder(db).directory(directory).access(TusServer.byHeader()).build();
        TusServer server = TusServer.serve(uploads.handler())) {
      String location = server.create("ann", 10, Map.of());
      server.patch(location, "ann", 0, "01234".getBytes());

      proxy.cut();
      HttpResponse<String> head = server.head(location, "ann");
      HttpResponse<String> patch = server.patch(location, "ann", 5, "56789".getBytes());
      proxy.restore();

      assertThat(head.statusCode()).isEqualTo(503);
      assertThat(patch.statusCode()).isEqualTo(503);
      TusProtocolTest.assertProblem(patch, "database_unavailable");
      assertThat(patch.headers().firstValue("Retry-After")).hasValue("5");
      // The pool still holds connections the cut broke; each fails once, as a 503, then is gone.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.head(location, "ann").statusCode() == 200);
      assertThat(server.offset(location, "ann")).isEqualTo(5);
      assertThat(server.patch(location, "ann", 5, "56789".getBytes()).statusCode()).isEqualTo(204);
    }
  }
}

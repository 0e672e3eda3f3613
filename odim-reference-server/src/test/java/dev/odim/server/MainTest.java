package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return Main.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void badValueStopsStartUpWithOneLineAndExitCode2() {
    int code = run(Map.of("PORT", "abc"), "serve");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "odim: PORT must be a number from 0 to 65535 (0 picks a free port), was \"abc\""
                + System.lineSeparator());
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void unknownFlagStopsStartUpWithOneLine() {
    int code = run(Map.of(), "serve", "--verbose");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .singleElement()
        .asString()
        .startsWith("odim: --verbose is not a known flag; known flags are --port");
  }

  @Test
  void missingOrUnknownCommandIsAUsageError() {
    assertThat(run(Map.of())).isEqualTo(2);
    assertThat(run(Map.of(), "serv")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "odim: missing command; usage: odim serve|migrate [--port N] [--database-url URL] ..."
                + " (odim --help lists all)",
            "odim: unknown command \"serv\"; usage: odim serve|migrate [--port N] [--database-url"
                + " URL] ... (odim --help lists all)");
  }

  @Test
  void migrateAppliesTheServerSchemaAndExits(TestDatabase database) {
    int code = run(Map.of(), "migrate", "--database-url", database.jdbcUrlWithCredentials());

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .matches("odim: \\d+ migration\\(s\\) applied to odim_server\\R");
  }

  @Test
  void unreachableDatabaseFailsStartWithExitCode1() {
    int code = run(Map.of(), "migrate", "--database-url", "jdbc:postgresql://127.0.0.1:1/none");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .singleElement()
        .asString()
        .startsWith("odim: cannot migrate: cannot connect to jdbc:postgresql://127.0.0.1:1/none");
  }
}

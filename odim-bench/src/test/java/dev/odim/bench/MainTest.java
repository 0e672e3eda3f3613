package dev.odim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final ResultSink sink =
      new ResultSink(
          new PrintStream(stdout, true, StandardCharsets.UTF_8),
          new PrintStream(stderr, true, StandardCharsets.UTF_8));

  @Test
  void unknownFamilyPrintsUsageOnStderrOnly() throws Exception {
    assertThat(Main.run(new String[] {"nope"}, Map.of(), sink)).isEqualTo(2);
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("unknown family").contains("db");
  }

  @Test
  void paymentsIsAFamily() {
    assertThat(Main.families()).extracting(BenchFamily::name).contains("payments");
  }

  @Test
  void resultLinesAreOneJsonObjectEach() {
    sink.result("db", "x", Map.of("ops_per_sec", 12));
    assertThat(stdout.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"bench\":\"db\",\"scenario\":\"x\",\"ops_per_sec\":12}" + System.lineSeparator());
  }

  @Test
  void percentilesComeFromTheRecordedLatencies() {
    Load.Measurement m =
        new Load.Measurement(4, 0, 2.0, new long[] {1_000_000, 2_000_000, 3_000_000, 4_000_000});
    assertThat(m.opsPerSecond()).isEqualTo(2.0);
    assertThat(m.percentileMillis(0.5)).isEqualTo(2.0);
    assertThat(m.percentileMillis(0.99)).isEqualTo(4.0);
  }
}

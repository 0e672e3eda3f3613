package dev.odim.ledger.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/ledger.md honest: every Java block in it is a region of {@link LedgerDocSamplesTest},
 * which compiles and runs, and every region is shown. Needs no database.
 */
class DocSamplesMatchTheDocTest {
  private static final Path SAMPLES =
      Path.of("src/test/java/dev/odim/ledger/docs/LedgerDocSamplesTest.java");
  private static final Path DOC = Path.of("../docs/ledger.md");
  private static final Pattern REGION_MARK =
      Pattern.compile("^\\s*// doc:([a-z0-9-]+) (start|end)\\s*$");
  private static final Pattern SAMPLE_BLOCK =
      Pattern.compile("<!-- sample: ([a-z0-9-]+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfTheDocIsACompiledRegionAndEveryRegionIsShown() throws IOException {
    Map<String, String> regions = regions(Files.readAllLines(SAMPLES));
    String doc = Files.readString(DOC);

    Map<String, String> shown = new LinkedHashMap<>();
    Matcher block = SAMPLE_BLOCK.matcher(doc);
    while (block.find()) {
      shown.put(block.group(1), block.group(2));
    }
    long javaBlocks = Pattern.compile("```java").matcher(doc).results().count();

    assertThat(javaBlocks).as("```java blocks without a sample marker").isEqualTo(shown.size());
    assertThat(shown.keySet()).containsExactlyInAnyOrderElementsOf(regions.keySet());
    for (var region : regions.entrySet()) {
      assertThat(shown.get(region.getKey()))
          .as("docs/ledger.md, sample " + region.getKey())
          .isEqualTo(region.getValue());
    }
  }

  /** Region name to its lines, without their common indentation and trailing blank lines. */
  private static Map<String, String> regions(List<String> source) {
    Map<String, String> regions = new LinkedHashMap<>();
    String open = null;
    List<String> lines = new ArrayList<>();
    for (String line : source) {
      Matcher mark = REGION_MARK.matcher(line);
      if (!mark.matches()) {
        if (open != null) {
          lines.add(line);
        }
      } else if (mark.group(2).equals("start")) {
        assertThat(open).as("region " + mark.group(1) + " opens inside " + open).isNull();
        open = mark.group(1);
        lines.clear();
      } else {
        assertThat(mark.group(1)).as("region end").isEqualTo(open);
        regions.put(open, dedent(lines));
        open = null;
      }
    }
    assertThat(open).as("unclosed region").isNull();
    return regions;
  }

  private static String dedent(List<String> lines) {
    List<String> kept = new ArrayList<>(lines);
    while (!kept.isEmpty() && kept.get(kept.size() - 1).isBlank()) {
      kept.remove(kept.size() - 1);
    }
    int indent =
        kept.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder text = new StringBuilder();
    for (String line : kept) {
      text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return text.toString();
  }
}

package dev.odim.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core's main code must not use the testkit (a test-scoped dependency above it: the build would
 * pass in tests and fail for users). ArchUnit is not a dependency of core, so this reads the
 * sources, which is as strict for imports and fully qualified names alike.
 */
class MainCodeDependenciesTest {

  @Test
  void mainCodeNeverMentionsTheTestkit() throws IOException {
    Path main = Path.of("src/main/java");
    assertThat(main).isDirectory();
    try (Stream<Path> files = Files.walk(main)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> read(p).contains("dev.odim.testkit"))
              .toList();
      assertThat(offenders).isEmpty();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

package dev.odim.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.uploads.store.FileSystemStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the filesystem store adds to the store contract: safe names and crash leftovers. */
class FileSystemStoreTest {
  @TempDir Path directory;

  @Test
  void idsThatCouldLeaveTheDirectoryAreRefused() throws Exception {
    FileSystemStore store = FileSystemStore.in(directory.resolve("uploads"));
    Files.writeString(directory.resolve("secret"), "keep");

    for (String id :
        List.of("../secret", "..", ".", "a/b", "", "a\\b", ".hidden", "x".repeat(201))) {
      assertThatThrownBy(() -> store.delete(id)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(directory.resolve("secret")).exists();
  }

  @Test
  void bytesBeyondTheRecordedOffsetAreDiscardedBeforeAnAppend() throws Exception {
    FileSystemStore store = FileSystemStore.in(directory);
    store.create("u1");
    store.append("u1", 0, new ByteArrayInputStream("0123456789".getBytes()));

    // A crash after writing 10 bytes but recording only 4: the next append starts at 4.
    long offset = store.append("u1", 4, new ByteArrayInputStream("abc".getBytes()));

    assertThat(offset).isEqualTo(7);
    assertThat(Files.readString(directory.resolve("u1"))).isEqualTo("0123abc");
  }

  @Test
  void aBodyThatBreaksKeepsWhatArrived() throws Exception {
    FileSystemStore store = FileSystemStore.in(directory);
    store.create("u2");
    InputStream breaking =
        new InputStream() {
          private int sent;

          @Override
          public int read() throws IOException {
            if (sent == 5) {
              throw new IOException("connection reset");
            }
            return '0' + sent++;
          }
        };

    assertThat(store.append("u2", 0, breaking)).isEqualTo(5);
    assertThat(Files.readString(directory.resolve("u2"))).isEqualTo("01234");
  }

  @Test
  void concatenationJoinsPartsAndIdsListsUploadsOnly() throws Exception {
    FileSystemStore store = FileSystemStore.in(directory);
    for (String part : List.of("p1", "p2")) {
      store.create(part);
      store.append(part, 0, new ByteArrayInputStream(part.getBytes()));
    }
    Files.writeString(directory.resolve("f.joining"), "leftover");

    store.concatenate("f", List.of("p2", "p1"));

    try (InputStream in = store.open("f")) {
      assertThat(new String(in.readAllBytes())).isEqualTo("p2p1");
    }
    try (var ids = store.ids()) {
      assertThat(ids.toList()).containsExactlyInAnyOrder("p1", "p2", "f");
    }
  }
}

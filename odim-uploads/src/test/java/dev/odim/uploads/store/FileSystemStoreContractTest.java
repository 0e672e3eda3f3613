package dev.odim.uploads.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem store keeps the contract every store keeps. */
class FileSystemStoreContractTest extends UploadStoreContract {
  @TempDir Path directory;

  @Override
  protected UploadStore openStore() throws Exception {
    return FileSystemStore.in(directory);
  }
}

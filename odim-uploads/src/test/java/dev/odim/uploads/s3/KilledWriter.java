package dev.odim.uploads.s3;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Random;

/**
 * The writer that {@link S3StoreTest} kills with SIGKILL: a separate JVM appending to one upload in
 * chunks, printing each durable offset the store returns (what a handler would record), until it is
 * killed. The bytes come from a seed, so the test knows them too.
 */
final class KilledWriter {
  static final int CHUNK = 1024 * 1024 + 333;
  static final int TOTAL = 16 * 1024 * 1024;

  private KilledWriter() {}

  /** The upload's bytes, the same in both JVMs. */
  static byte[] content(long seed) {
    byte[] bytes = new byte[TOTAL];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Arguments: endpoint, identity, credential, bucket, prefix, temp directory, upload id, seed. */
  public static void main(String[] args) throws Exception {
    byte[] content = content(Long.parseLong(args[7]));
    try (S3Store store =
        S3Store.builder()
            .endpoint(URI.create(args[0]))
            .credentials(args[1], args[2])
            .pathStyleAccess(true)
            .bucket(args[3])
            .keyPrefix(args[4])
            .tempDirectory(Path.of(args[5]))
            .partSize(5L * 1024 * 1024)
            .maxUploadSize(2L << 30)
            .build()) {
      long offset = 0;
      while (offset < content.length) {
        int size = (int) Math.min(CHUNK, content.length - offset);
        offset =
            store.append(args[6], offset, new ByteArrayInputStream(content, (int) offset, size));
        System.out.println("offset " + offset);
        System.out.flush();
      }
    }
  }
}

package dev.odim.uploads;

import dev.odim.core.db.Db;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tus server in a JVM of its own, for the kill -9 and memory tests: args are the JDBC URL, the
 * store directory, a file to write the port to once it listens, and optionally the segment size.
 */
public final class UploadServerMain {
  private UploadServerMain() {}

  public static void main(String[] args) throws Exception {
    Db db = Db.builder(args[0]).build();
    Uploads uploads =
        Uploads.builder(db)
            .directory(Path.of(args[1]))
            .access(TusServer.byHeader())
            .segmentSize(args.length > 3 ? Long.parseLong(args[3]) : 64 << 10)
            .leaseTimeout(java.time.Duration.ofSeconds(1))
            .build();
    TusServer server = TusServer.serve(uploads.handler());
    Path portFile = Path.of(args[2]);
    Path written = Files.writeString(portFile.resolveSibling("port.tmp"), "" + server.port());
    Files.move(written, portFile);
    Thread.sleep(Long.MAX_VALUE);
  }
}

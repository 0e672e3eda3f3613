package dev.odim.bench.uploads;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.ResultSink;
import dev.odim.server.OdimServer;
import dev.odim.server.ServerConfig;
import dev.odim.uploads.client.ProgressListener;
import dev.odim.uploads.client.TusClient;
import dev.odim.uploads.client.Upload;
import dev.odim.uploads.client.UploadResult;
import dev.odim.uploads.client.UploadTask;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Uploads through the reference server as {@code ./odim serve} runs it (rate limiting off), over
 * loopback, with {@link TusClient}: one large file, twenty at once, and one interrupted half way
 * and resumed. Every stored file is compared with its source by SHA-256 ({@code errors}). The
 * disk's own durable write rate ({@code disk-floor}: the same bytes written and forced in the
 * server's segment size, no HTTP) is the baseline: an upload cannot be durable faster than that.
 *
 * <p>{@code heap_mb} is the growth of the heap still in use after garbage collections during the
 * scenario (the server and the client share this JVM), against the same measure before it: what an
 * upload keeps, not the garbage it makes.
 */
public final class UploadsBench implements BenchFamily {
  private static final String BENCH = "uploads";
  private static final long MIB = 1024L * 1024;

  /** The server's segment size: what it forces to disk at a time. */
  private static final long SEGMENT = 16 * MIB;

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "tus uploads through the reference server over loopback with the Java client: one"
        + " large file, 20 at once, one resumed after a break; beside the disk's durable rate";
  }

  /**
   * How big a run is.
   *
   * @param single the large file's size
   * @param parallelEach each of the 20 parallel files' size
   */
  private record Size(long single, long parallelEach) {
    static Size of(BenchOptions options) {
      return options.quick() ? new Size(256 * MIB, 10 * MIB) : new Size(1024 * MIB, 50 * MIB);
    }
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    Size size = Size.of(options);
    Path work = Files.createTempDirectory("odim-bench-uploads");
    try (BenchDatabase database = BenchDatabase.open(options, out)) {
      Path sources = Files.createDirectories(work.resolve("sources"));
      out.progress("writing source files");
      Path large = source(sources.resolve("large.bin"), size.single(), 1);
      List<Path> small = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        small.add(source(sources.resolve("part-" + i + ".bin"), size.parallelEach(), 100 + i));
      }
      double disk = diskFloor(work.resolve("floor.bin"), size.single(), out);
      Path data = Files.createDirectories(work.resolve("data"));
      String databaseUrl =
          options.databaseUrl() != null ? options.databaseUrl() : database.url().jdbcUrl();
      out.progress("starting the reference server");
      try (OdimServer server =
          OdimServer.start(
              ServerConfig.parse(
                  List.of(),
                  Map.of(
                      "PORT",
                      "0",
                      "ODIM_DATA",
                      data.toString(),
                      "DATABASE_URL",
                      databaseUrl,
                      "ODIM_RATE_LIMIT",
                      "off")))) {
        URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
        String cookie = signUpCreator(base);
        Path stored = data.resolve("uploads");
        try (TusClient client =
            TusClient.builder(base.resolve("uploads/"))
                .headers(() -> Map.of("Cookie", cookie))
                .build()) {
          single(client, large, stored, disk, out);
          parallel(client, small, stored, disk, out);
          resume(client, large, stored, out);
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  private static void single(TusClient client, Path file, Path stored, double disk, ResultSink out)
      throws Exception {
    long length = Files.size(file);
    out.progress(String.format("single: %d MiB in one upload", length / MIB));
    HeapWatch heap = new HeapWatch();
    long began = System.nanoTime();
    UploadResult result = client.upload(video(file).onProgress(heap::progress));
    double seconds = (System.nanoTime() - began) / 1e9;
    long heapGrowth = heap.growth();
    int errors = verify(result, file, stored, out);
    double rate = length / MIB / seconds;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("mb_per_s", round1(rate));
    fields.put("heap_mb", heapGrowth / MIB);
    fields.put("errors", errors);
    fields.put("bytes", length);
    fields.put("disk_mb_per_s", round1(disk));
    fields.put("ratio", round3(rate / disk));
    out.result(
        BENCH,
        "single-" + (length / MIB >= 1024 ? length / MIB / 1024 + "gib" : length / MIB + "mib"),
        fields);
  }

  private static void parallel(
      TusClient client, List<Path> files, Path stored, double disk, ResultSink out)
      throws Exception {
    long each = Files.size(files.getFirst());
    out.progress(String.format("parallel: %d uploads of %d MiB at once", files.size(), each / MIB));
    HeapWatch heap = new HeapWatch();
    long began = System.nanoTime();
    List<Future<UploadResult>> results = new ArrayList<>();
    AtomicLong acknowledged = new AtomicLong();
    long total = files.size() * each;
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Path file : files) {
        results.add(
            threads.submit(
                () ->
                    client.upload(
                        video(file)
                            .onProgress(
                                new ProgressListener() {
                                  private long mine;

                                  @Override
                                  public void onProgress(long done, long length) {
                                    heap.progress(acknowledged.addAndGet(done - mine), total);
                                    mine = done;
                                  }
                                }))));
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    long heapGrowth = heap.growth();
    int errors = 0;
    for (int i = 0; i < files.size(); i++) {
      errors += verify(results.get(i).get(), files.get(i), stored, out);
    }
    double rate = files.size() * each / (double) MIB / seconds;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("mb_per_s", round1(rate));
    fields.put("heap_mb", heapGrowth / MIB);
    fields.put("errors", errors);
    fields.put("uploads", files.size());
    fields.put("disk_mb_per_s", round1(disk));
    fields.put("ratio", round3(rate / disk));
    out.result(BENCH, "parallel-" + files.size() + "x" + each / MIB + "mib", fields);
  }

  /**
   * Cancels the upload in the middle of the chunk after half of the file was acknowledged (half a
   * chunk's time after that acknowledgement), then resumes it from the server's offset: what the
   * break costs is the bytes sent twice.
   */
  private static void resume(TusClient client, Path file, Path stored, ResultSink out)
      throws Exception {
    long length = Files.size(file);
    out.progress(String.format("resume: %d MiB, broken off half way, then resumed", length / MIB));
    long began = System.nanoTime();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    UploadTask[] task = new UploadTask[1];
    AtomicBoolean scheduled = new AtomicBoolean();
    long[] chunks = new long[2]; // acknowledgements so far, and the bytes of the last one
    long[] lastAck = {began, 0};
    try {
      task[0] =
          client.start(
              video(file)
                  .onProgress(
                      (done, total) -> {
                        long now = System.nanoTime();
                        long perChunk = (now - began) / Math.max(1, ++chunks[0]);
                        chunks[1] = done - lastAck[1];
                        lastAck[1] = done;
                        if (done >= total / 2 && scheduled.compareAndSet(false, true)) {
                          timer.schedule(task[0]::cancel, perChunk / 2, TimeUnit.NANOSECONDS);
                        }
                      }));
      UploadResult first = task[0].await();
      if (!(first instanceof UploadResult.Cancelled cancelled) || cancelled.url() == null) {
        throw new IllegalStateException("the interrupted upload ended with " + first);
      }
      UploadResult second = client.upload(video(file).resumingAt(cancelled.url()));
      double seconds = (System.nanoTime() - began) / 1e9;
      int errors = verify(second, file, stored, out);
      long sent = cancelled.bytesSent() + second.bytesSent();
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("mb_per_s", round1(length / MIB / seconds));
      fields.put("errors", errors);
      fields.put("bytes_resent", Math.max(0, sent - length));
      fields.put("chunk_bytes", chunks[1]);
      fields.put("offset_at_break", cancelled.offset());
      fields.put("sent_before_break", cancelled.bytesSent());
      out.result(BENCH, "resume", fields);
    } finally {
      timer.shutdownNow();
    }
  }

  private static Upload video(Path file) {
    return Upload.of(file)
        .withMetadata("filename", file.getFileName().toString())
        .withMetadata("filetype", "video/mp4");
  }

  /** 1 when the upload did not complete or the stored bytes differ from the source, else 0. */
  private static int verify(UploadResult result, Path source, Path stored, ResultSink out)
      throws IOException {
    if (!(result instanceof UploadResult.Completed completed)) {
      out.progress("upload of " + source.getFileName() + " did not complete: " + result);
      return 1;
    }
    String path = completed.url().getPath();
    Path file = stored.resolve(path.substring(path.lastIndexOf('/') + 1));
    if (!sha256(file).equals(sha256(source))) {
      out.progress("stored " + file + " differs from " + source.getFileName());
      return 1;
    }
    return 0;
  }

  /**
   * A file the server takes for an MP4 video: an {@code ftyp} box first (the server sniffs the
   * first bytes on completion), then random bytes.
   */
  private static Path source(Path file, long length, long seed) throws IOException {
    byte[] header = {
      0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i',
      's', 'o', 'm'
    };
    SplittableRandom random = new SplittableRandom(seed);
    ByteBuffer buffer = ByteBuffer.allocate((int) MIB);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      boolean first = true;
      while (written < length) {
        buffer.clear();
        if (first) {
          buffer.put(header);
          first = false;
        }
        while (buffer.remaining() >= Long.BYTES) {
          buffer.putLong(random.nextLong());
        }
        buffer.flip();
        buffer.limit((int) Math.min(buffer.limit(), length - written));
        written += channel.write(buffer);
      }
    }
    return file;
  }

  /**
   * The disk's durable write rate for these bytes: {@code length} bytes in 128 KiB writes, forced
   * every segment, as the server's filesystem store writes them, without HTTP.
   */
  private static double diskFloor(Path file, long length, ResultSink out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(128 * 1024);
    SplittableRandom random = new SplittableRandom(7);
    while (buffer.remaining() >= Long.BYTES) {
      buffer.putLong(random.nextLong());
    }
    long began = System.nanoTime();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      long sinceForce = 0;
      while (written < length) {
        buffer.rewind();
        int n = channel.write(buffer);
        written += n;
        sinceForce += n;
        if (sinceForce >= SEGMENT) {
          channel.force(false);
          sinceForce = 0;
        }
      }
      channel.force(false);
    } finally {
      Files.deleteIfExists(file);
    }
    double rate = length / (double) MIB / ((System.nanoTime() - began) / 1e9);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("mb_per_s", round1(rate));
    fields.put("bytes", length);
    out.result(BENCH, "disk-floor", fields);
    return rate;
  }

  private static String signUpCreator(URI base) throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    byte[] body =
        json.writeValueAsBytes(
            Map.of(
                "email",
                "bench-uploads-" + System.nanoTime() + "@example.com",
                "password",
                "a long bench password 7",
                "name",
                "Bench creator",
                "role",
                "creator"));
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(base.resolve("api/auth/signup"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String cookie = answer.headers().firstValue("Set-Cookie").orElse(null);
    if (answer.statusCode() != 201 || cookie == null) {
      throw new IllegalStateException("signing up answered " + answer.statusCode());
    }
    return cookie.split(";", 2)[0];
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  private static double round1(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}

package dev.odim.uploads.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for one test class: s3proxy (Maven Central, {@code org.gaul:s3proxy})
 * with its {@code filesystem-nio2} backend (objects under {@code target/s3proxy/data-<port>},
 * removed afterwards; the deprecated {@code filesystem} and the in-memory {@code transient}
 * backends pass the suite too, the latter holding every byte in the child's heap), run as a child
 * JVM from the runnable jar the build copies into {@code target/s3proxy/} (on the class path its
 * Jetty 11 would clash with the build's Jetty 12). Requests are signed (AWS v4) as a real service
 * expects. Register it as a static {@code @RegisterExtension} field; it stops the server after the
 * class, and a shutdown hook stops it if the test JVM exits first.
 */
final class S3ProxyServer implements BeforeAllCallback, AfterAllCallback {
  static final String BUCKET = "odim-test";
  private static final String IDENTITY = "odim";
  private static final String CREDENTIAL = "odim-secret";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private @Nullable Process process;
  private @Nullable Path data;
  private @Nullable Thread shutdownHook;
  private @Nullable URI endpoint;
  private @Nullable S3Client client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: run the tests through Maven, whose generate-test-resources phase"
              + " copies s3proxy there");
    }
    int port = freePort();
    Path dir = jar.getParent();
    Path properties = dir.resolve("s3proxy-" + port + ".properties");
    Path data = Files.createDirectories(dir.resolve("data-" + port));
    this.data = data;
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + IDENTITY,
            "s3proxy.credential=" + CREDENTIAL,
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + data,
            "jclouds.identity=" + IDENTITY,
            "jclouds.credential=" + CREDENTIAL,
            ""));
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path log = dir.resolve("s3proxy-" + port + ".log");
    Process started =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-jar",
                    jar.toString(),
                    "--properties",
                    properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    process = started;
    Thread hook = new Thread(started::destroyForcibly, "s3proxy-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
    awaitPort(started, port, log);
    endpoint = URI.create("http://127.0.0.1:" + port);
    S3Client s3 = newClient(endpoint);
    client = s3;
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (client != null) {
      client.close();
    }
    if (shutdownHook != null) {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      // s3proxy starts no processes of its own, so the child gone means nothing survives the run
      if (process.isAlive() || process.descendants().anyMatch(ProcessHandle::isAlive)) {
        throw new IllegalStateException("s3proxy (pid " + process.pid() + ") did not stop");
      }
    }
    if (data != null) {
      try (Stream<Path> files = Files.walk(data)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  /** A client of the server, for looking at what a store wrote. */
  S3Client client() {
    return Objects.requireNonNull(client, "the server is not running");
  }

  /** The process, so a test can check that it is gone. */
  Process process() {
    return Objects.requireNonNull(process, "the server is not running");
  }

  /** The server's address. */
  URI endpoint() {
    return Objects.requireNonNull(endpoint, "the server is not running");
  }

  /** The access key id and secret the server accepts. */
  static List<String> credentials() {
    return List.of(IDENTITY, CREDENTIAL);
  }

  /** A store builder pointed at the server's bucket, the way a deployment would configure it. */
  S3StoreBuilder storeBuilder() {
    return S3Store.builder()
        .endpoint(Objects.requireNonNull(endpoint, "the server is not running"))
        .region("us-east-1")
        .credentials(IDENTITY, CREDENTIAL)
        .pathStyleAccess(true)
        .bucket(BUCKET);
  }

  private static S3Client newClient(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
        .forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(Process process, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited at start:\n" + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100); // polling a child process's port: there is no event to wait for
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "s3proxy did not answer on port "
            + port
            + " within "
            + START_TIMEOUT
            + ":\n"
            + Files.readString(log));
  }
}

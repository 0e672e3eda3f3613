package dev.odim.bench.payments;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchOptions;
import dev.odim.ledger.Ledger;
import dev.odim.server.OdimServer;
import dev.odim.server.ServerConfig;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The reference server as {@code ./odim serve} runs it (its own configuration parsing, rate
 * limiting off for load) on the bench's PostgreSQL, talking to a Paystack simulator of its own that
 * sends its webhooks to the server's {@code POST /webhooks/paystack}. A separate simulator rather
 * than the server's built-in mount, so that the bench can fix its seed (the same faults hit the
 * same calls from run to run) and compress Paystack's retry schedule into the run's length.
 */
final class ServerUnderTest implements AutoCloseable {
  /** Fault decisions repeat from run to run with the same calls in the same order. */
  static final long SEED = 20_261_202L;

  /**
   * One minute of Paystack's webhook retry schedule lasts this long: the first retries after 0.3 s
   * instead of 3 minutes, the hourly ones after 6 s.
   */
  static final Duration WEBHOOK_MINUTE = Duration.ofMillis(100);

  final PaystackSimulator paystack;
  final OdimServer server;
  final HttpApi api;
  final Ledger ledger;
  private final Path data;

  private ServerUnderTest(
      PaystackSimulator paystack, OdimServer server, HttpApi api, Ledger ledger, Path data) {
    this.paystack = paystack;
    this.server = server;
    this.api = api;
    this.ledger = ledger;
    this.data = data;
  }

  static ServerUnderTest start(BenchDatabase database, BenchOptions options) throws IOException {
    int port = freePort();
    Path data = Files.createTempDirectory("odim-bench-payments");
    PaystackSimulator paystack =
        PaystackSimulator.builder()
            .seed(SEED)
            .webhookMinute(WEBHOOK_MINUTE)
            .webhookUrl(URI.create("http://127.0.0.1:" + port + "/webhooks/paystack"))
            .build()
            .start(0);
    try {
      String databaseUrl =
          options.databaseUrl() != null ? options.databaseUrl() : database.url().jdbcUrl();
      URI paystackBase = URI.create("http://127.0.0.1:" + paystack.port() + "/sim/paystack");
      ServerConfig config =
          ServerConfig.parse(
              List.of(),
              Map.of(
                  "PORT",
                  Integer.toString(port),
                  "ODIM_DATA",
                  data.toString(),
                  "DATABASE_URL",
                  databaseUrl,
                  "PAYSTACK_SECRET_KEY",
                  PaystackSimulator.DEFAULT_SECRET_KEY,
                  "PAYSTACK_BASE_URL",
                  paystackBase.toString(),
                  "ODIM_RATE_LIMIT",
                  "off"));
      OdimServer server = OdimServer.start(config);
      HttpApi api =
          new HttpApi(
              URI.create("http://127.0.0.1:" + server.port() + "/"),
              paystackBase,
              PaystackSimulator.DEFAULT_SECRET_KEY);
      // The server's own ledger tables, read by verify() after the load.
      Ledger ledger = Ledger.builder(server.db()).build();
      return new ServerUnderTest(paystack, server, api, ledger, data);
    } catch (RuntimeException e) {
      paystack.close();
      throw e;
    }
  }

  /**
   * A port nobody listens on now: the simulator must know where the webhooks go before the server
   * starts, and the server must know where the simulator is.
   */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    paystack.close();
    ledger.close();
    server.close();
    try (Stream<Path> files = Files.walk(data)) {
      files.sorted(Comparator.reverseOrder()).forEach(ServerUnderTest::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

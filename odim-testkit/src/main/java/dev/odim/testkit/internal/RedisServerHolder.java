package dev.odim.testkit.internal;

import dev.odim.testkit.EmbeddedRedis;
import dev.odim.testkit.TestRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one Redis server of a test JVM: an {@link EmbeddedRedis}, or the real one named by {@code
 * ODIM_TEST_REDIS_URL}.
 */
public final class RedisServerHolder implements AutoCloseable {
  public static final String URL_VARIABLE = "ODIM_TEST_REDIS_URL";

  private final TestRedis address;
  private final @Nullable EmbeddedRedis embedded;

  private RedisServerHolder(TestRedis address, @Nullable EmbeddedRedis embedded) {
    this.address = address;
    this.embedded = embedded;
  }

  public static RedisServerHolder start(Map<String, String> environment) {
    String url = environment.get(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      URI uri = URI.create(url.strip());
      if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(
            URL_VARIABLE + " must look like redis://host:port/db, was \"" + url + "\"");
      }
      String path = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
      int database = path.isEmpty() ? 0 : Integer.parseInt(path);
      return new RedisServerHolder(
          new TestRedis(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), database), null);
    }
    EmbeddedRedis embedded = EmbeddedRedis.start();
    return new RedisServerHolder(embedded.address(), embedded);
  }

  public TestRedis address() {
    return address;
  }

  /**
   * Empties the tests' database. Sent as a raw RESP command: the testkit carries no Redis client
   * library for one command.
   */
  public void flush() {
    try (Socket socket = new Socket(address.host(), address.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      String select = Integer.toString(address.database());
      String command =
          "*2\r\n$6\r\nSELECT\r\n$"
              + select.length()
              + "\r\n"
              + select
              + "\r\n*1\r\n$7\r\nFLUSHDB\r\n";
      out.write(command.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String replies = readLines(in, 2);
      if (!replies.equals("+OK\r\n+OK\r\n")) {
        throw new IllegalStateException("Redis refused to flush: " + replies.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach Redis at " + address.uri(), e);
    }
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }

  private static String readLines(InputStream in, int lines) throws IOException {
    StringBuilder text = new StringBuilder();
    int seen = 0;
    while (seen < lines) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      text.append((char) b);
      if (b == '\n') {
        seen++;
      }
    }
    return text.toString();
  }
}

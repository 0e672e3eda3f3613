package dev.odim.testkit;

/**
 * The Redis server of a test JVM: embedded, or the real one named by {@code ODIM_TEST_REDIS_URL}.
 *
 * @param host the host name or address
 * @param port the TCP port
 * @param database the logical database index the tests use
 */
public record TestRedis(String host, int port, int database) {

  /** A {@code redis://} URI that Lettuce and the server's {@code REDIS_URL} accept. */
  public String uri() {
    return "redis://" + host + ":" + port + "/" + database;
  }
}

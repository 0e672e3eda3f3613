package dev.odim.server;

/** Where the tests' PostgreSQL is. The one place to switch to the testkit's embedded PostgreSQL. */
final class TestDatabase {
  private TestDatabase() {}

  /** A JDBC URL of a database the tests may create schemas in. */
  static String url() {
    String url = System.getenv("ODIM_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(
          "set ODIM_TEST_POSTGRES_URL, e.g."
              + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres, to run the server tests");
    }
    return url;
  }
}

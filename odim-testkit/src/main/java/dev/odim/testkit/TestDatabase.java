package dev.odim.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * A database of its own for one test class, on the embedded server or on the real server named by
 * {@code ODIM_TEST_POSTGRES_URL}.
 *
 * @param name the database name
 * @param jdbcUrl a JDBC URL for it, without credentials
 * @param user the user to connect as
 * @param password the password, or null where the server trusts local connections
 */
public record TestDatabase(String name, String jdbcUrl, String user, @Nullable String password) {

  /** Opens a plain JDBC connection. */
  public Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  /**
   * The URL with the credentials as query parameters, the form that {@code Db.builder(String)} and
   * {@code DATABASE_URL} accept.
   */
  public String jdbcUrlWithCredentials() {
    String separator = jdbcUrl.contains("?") ? "&" : "?";
    String url = jdbcUrl + separator + "user=" + encode(user);
    return password == null ? url : url + "&password=" + encode(password);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "TestDatabase[" + name + " at " + jdbcUrl + "]";
  }
}

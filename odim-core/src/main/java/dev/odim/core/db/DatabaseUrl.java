package dev.odim.core.db;

import dev.odim.core.OdimConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL address in the two spellings people paste: the JDBC form ({@code
 * jdbc:postgresql://host:5432/db?user=u}) and the libpq/Heroku form ({@code
 * postgresql://user:pass@host:5432/db}, also {@code postgres://}). Credentials found in the
 * user-info part are taken out of the URL so they never appear in a logged JDBC URL.
 *
 * @param jdbcUrl the JDBC URL without credentials in its user-info part
 * @param user the user, when the URL named one
 * @param password the password, when the URL named one
 */
public record DatabaseUrl(String jdbcUrl, @Nullable String user, @Nullable String password) {

  private static final String SETTING = "DATABASE_URL";
  private static final String ACCEPTS =
      "expected postgresql://user:password@host:port/database or"
          + " jdbc:postgresql://host:port/database";

  /**
   * Parses either spelling.
   *
   * @throws OdimConfigException naming {@code DATABASE_URL} when the value is neither
   */
  public static DatabaseUrl parse(String raw) {
    String value = raw.strip();
    if (value.isEmpty()) {
      throw new OdimConfigException(SETTING, "is empty; " + ACCEPTS);
    }
    if (value.startsWith("jdbc:postgresql:")) {
      // The driver parses its own URL; check only that it names a host or database at all.
      if (value.length() == "jdbc:postgresql:".length()) {
        throw new OdimConfigException(SETTING, "names no database; " + ACCEPTS);
      }
      return new DatabaseUrl(value, null, null);
    }
    if (!value.startsWith("postgresql://") && !value.startsWith("postgres://")) {
      throw new OdimConfigException(SETTING, "has an unknown scheme; " + ACCEPTS);
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new OdimConfigException(
          SETTING, "is not a valid URL (" + e.getReason() + "); " + ACCEPTS);
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw new OdimConfigException(SETTING, "names no host; " + ACCEPTS);
    }
    String path = uri.getRawPath();
    String database = path == null || path.length() <= 1 ? "" : path.substring(1);
    if (database.isEmpty() || database.contains("/")) {
      throw new OdimConfigException(SETTING, "names no database; " + ACCEPTS);
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(hostPart);
    if (uri.getPort() != -1) {
      jdbc.append(':').append(uri.getPort());
    }
    jdbc.append('/').append(database);
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    return new DatabaseUrl(jdbc.toString(), user, password);
  }

  private static String decode(String part) {
    // URLDecoder is a form decoder: protect '+', which in a URL's user-info is a literal plus.
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "DatabaseUrl[" + jdbcUrl + (user == null ? "" : ", user=" + user) + "]";
  }
}

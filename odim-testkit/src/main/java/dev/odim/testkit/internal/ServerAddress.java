package dev.odim.testkit.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server named by {@code ODIM_TEST_POSTGRES_URL}, in either the JDBC form or the
 * {@code postgresql://user:password@host:port/database} form. The testkit depends on no other Odim
 * module, so it parses the two forms here rather than with odim-core's {@code DatabaseUrl}.
 */
public record ServerAddress(
    String host, int port, String database, String user, @Nullable String password) {

  public static ServerAddress parse(String setting, String raw) {
    String value = raw.strip();
    String uriText = value.startsWith("jdbc:") ? value.substring("jdbc:".length()) : value;
    if (!uriText.startsWith("postgresql://") && !uriText.startsWith("postgres://")) {
      throw new IllegalArgumentException(
          setting
              + " must look like jdbc:postgresql://host:port/db?user=u or"
              + " postgresql://user:password@host:port/db, was \""
              + raw
              + "\"");
    }
    try {
      URI uri = new URI(uriText);
      Map<String, String> query = new LinkedHashMap<>();
      if (uri.getRawQuery() != null) {
        for (String pair : uri.getRawQuery().split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
          }
        }
      }
      String user = query.getOrDefault("user", "postgres");
      String password = query.get("password");
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      if (uri.getHost() == null || path.isEmpty()) {
        throw new IllegalArgumentException(
            setting + " must name a host and a database, was \"" + raw + "\"");
      }
      return new ServerAddress(
          uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path, user, password);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(setting + " is not a valid URL: " + e.getMessage(), e);
    }
  }

  /** The JDBC URL of another database on the same server. */
  public String jdbcUrl(String otherDatabase) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + otherDatabase;
  }

  private static String decode(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}

package dev.odim.server;

import dev.odim.core.OdimConfigException;
import dev.odim.core.crypto.EncryptionKey;
import dev.odim.core.crypto.KeyRing;
import dev.odim.core.db.DatabaseUrl;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The reference server's settings, read once from environment variables and command-line flags
 * (flag {@code --database-url} is variable {@code DATABASE_URL}; a flag wins over the variable) and
 * validated as a whole by {@link #parse}. A blank value counts as unset.
 *
 * @param port the HTTP port, 0 for any free port
 * @param dataDirectory where the embedded PostgreSQL keeps its data (under {@code postgres/})
 * @param databaseUrl an external PostgreSQL; without one the embedded one runs
 * @param redisUrl Redis for the queue and the shared rate limiter; without it PostgreSQL and an
 *     in-process limiter serve
 * @param paystackSecretKey Paystack's secret key; without it the built-in simulator is used
 * @param paystackBaseUrl where Paystack's API is, overriding the real address
 * @param rateLimit requests per client IP and window
 * @param trustedProxies proxies whose {@code X-Forwarded-For} is believed
 * @param encryptionKeys field-encryption keys, the first one active
 * @param adminEmail the first admin's email, given together with {@code adminPassword}
 * @param adminPassword the first admin's password; never printed
 */
public record ServerConfig(
    int port,
    Path dataDirectory,
    @Nullable DatabaseUrl databaseUrl,
    @Nullable URI redisUrl,
    @Nullable String paystackSecretKey,
    @Nullable URI paystackBaseUrl,
    RateLimit rateLimit,
    List<IpRange> trustedProxies,
    List<EncryptionKey> encryptionKeys,
    @Nullable String adminEmail,
    @Nullable String adminPassword) {

  /** The variables this server reads, in the order {@code --help} lists them. */
  public static final List<String> SETTINGS =
      List.of(
          "PORT",
          "ODIM_DATA",
          "DATABASE_URL",
          "REDIS_URL",
          "PAYSTACK_SECRET_KEY",
          "PAYSTACK_BASE_URL",
          "ODIM_RATE_LIMIT",
          "ODIM_TRUSTED_PROXIES",
          "ODIM_ENCRYPTION_KEYS",
          "ODIM_ADMIN_EMAIL",
          "ODIM_ADMIN_PASSWORD");

  private static final Pattern RATE = Pattern.compile("([0-9]{1,7})/([0-9]{1,4})([smh])");
  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final int MIN_ADMIN_PASSWORD = 12;

  /** Freezes the lists. */
  public ServerConfig {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(rateLimit, "rateLimit");
    trustedProxies = List.copyOf(trustedProxies);
    encryptionKeys = List.copyOf(encryptionKeys);
  }

  /**
   * Reads the settings from {@code env} and {@code flags} ({@code --name value} or {@code
   * --name=value}).
   *
   * @throws OdimConfigException naming the first bad variable (or flag) and what it accepts
   */
  public static ServerConfig parse(List<String> flags, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    env.forEach(
        (name, value) -> {
          if (SETTINGS.contains(name) && !value.isBlank()) {
            values.put(name, value.strip());
          }
        });
    values.putAll(parseFlags(flags));

    int port = port(values.get("PORT"));
    Path data = dataDirectory(values.getOrDefault("ODIM_DATA", "./odim-data"));
    String db = values.get("DATABASE_URL");
    DatabaseUrl databaseUrl = db == null ? null : DatabaseUrl.parse(db);
    URI redis = url("REDIS_URL", values.get("REDIS_URL"), Set.of("redis", "rediss"));
    String secret = paystackSecretKey(values.get("PAYSTACK_SECRET_KEY"));
    URI paystackBase =
        url("PAYSTACK_BASE_URL", values.get("PAYSTACK_BASE_URL"), Set.of("http", "https"));
    RateLimit rateLimit = rateLimit(values.get("ODIM_RATE_LIMIT"));
    List<IpRange> proxies = trustedProxies(values.get("ODIM_TRUSTED_PROXIES"));
    List<EncryptionKey> keys = encryptionKeys(values.get("ODIM_ENCRYPTION_KEYS"));
    String email = values.get("ODIM_ADMIN_EMAIL");
    String password = values.get("ODIM_ADMIN_PASSWORD");
    admin(email, password);
    return new ServerConfig(
        port,
        data,
        databaseUrl,
        redis,
        secret,
        paystackBase,
        rateLimit,
        proxies,
        keys,
        email,
        password);
  }

  /** Whether the server starts its own PostgreSQL, because no {@code DATABASE_URL} was given. */
  public boolean embeddedDatabase() {
    return databaseUrl == null;
  }

  /** The flag spelling of a variable: {@code DATABASE_URL} is {@code --database-url}. */
  public static String flagName(String setting) {
    return "--" + setting.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    // Secrets stay out of logs: show only whether they are set.
    return "ServerConfig[port="
        + port
        + ", dataDirectory="
        + dataDirectory
        + ", databaseUrl="
        + databaseUrl
        + ", redisUrl="
        + (redisUrl == null ? null : redisUrl.getHost())
        + ", paystackSecretKey="
        + (paystackSecretKey == null ? "unset" : "set")
        + ", paystackBaseUrl="
        + paystackBaseUrl
        + ", rateLimit="
        + rateLimit
        + ", trustedProxies="
        + trustedProxies
        + ", encryptionKeys="
        + encryptionKeys
        + ", adminEmail="
        + adminEmail
        + "]";
  }

  private static Map<String, String> parseFlags(List<String> flags) {
    Map<String, String> byFlag = new LinkedHashMap<>();
    for (String setting : SETTINGS) {
      byFlag.put(flagName(setting), setting);
    }
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < flags.size(); i++) {
      String arg = flags.get(i);
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      String setting = byFlag.get(flag);
      if (setting == null) {
        throw new OdimConfigException(
            flag, "is not a known flag; known flags are " + String.join(", ", byFlag.keySet()));
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < flags.size() && !flags.get(i + 1).startsWith("--")) {
        value = flags.get(++i);
      } else {
        throw new OdimConfigException(flag, "needs a value, as in " + flag + " VALUE");
      }
      if (!value.isBlank()) {
        values.put(setting, value.strip());
      }
    }
    return values;
  }

  private static int port(@Nullable String raw) {
    if (raw == null) {
      return 8080;
    }
    String accepts = "must be a number from 0 to 65535 (0 picks a free port), was \"" + raw + "\"";
    if (!raw.matches("[0-9]{1,5}")) {
      throw new OdimConfigException("PORT", accepts);
    }
    int port = Integer.parseInt(raw);
    if (port > 65535) {
      throw new OdimConfigException("PORT", accepts);
    }
    return port;
  }

  private static Path dataDirectory(String raw) {
    try {
      return Path.of(raw);
    } catch (InvalidPathException e) {
      throw new OdimConfigException(
          "ODIM_DATA", "must be a directory path, was \"" + raw + "\" (" + e.getReason() + ")");
    }
  }

  private static @Nullable URI url(String setting, @Nullable String raw, Set<String> schemes) {
    if (raw == null) {
      return null;
    }
    String accepts =
        "must be an absolute URL with scheme "
            + String.join(" or ", schemes.stream().sorted().toList())
            + " and a host, was \""
            + redactUserInfo(raw)
            + "\"";
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw new OdimConfigException(setting, accepts);
    }
    if (uri.getScheme() == null
        || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getHost() == null) {
      throw new OdimConfigException(setting, accepts);
    }
    return uri;
  }

  private static String redactUserInfo(String raw) {
    // redis://:password@host must not reach a log through an error message.
    return raw.replaceFirst("//[^/@]*@", "//***@");
  }

  private static @Nullable String paystackSecretKey(@Nullable String raw) {
    if (raw == null) {
      return null;
    }
    if (!raw.matches("sk_(test|live)_[A-Za-z0-9_]+")) {
      // Never echo a secret, not even a wrong one.
      throw new OdimConfigException(
          "PAYSTACK_SECRET_KEY",
          "must look like sk_test_... or sk_live_... (the value is not shown)");
    }
    return raw;
  }

  private static RateLimit rateLimit(@Nullable String raw) {
    if (raw == null) {
      return RateLimit.defaultLimit();
    }
    if (raw.equalsIgnoreCase("off")) {
      return RateLimit.off();
    }
    Matcher m = RATE.matcher(raw);
    String accepts =
        "must be REQUESTS/WINDOW such as 100/1m, 20/10s or 5000/1h (1 to 1000000 requests), or off,"
            + " was \""
            + raw
            + "\"";
    if (!m.matches()) {
      throw new OdimConfigException("ODIM_RATE_LIMIT", accepts);
    }
    int requests = Integer.parseInt(m.group(1));
    long amount = Long.parseLong(m.group(2));
    if (requests < 1 || requests > 1_000_000 || amount < 1) {
      throw new OdimConfigException("ODIM_RATE_LIMIT", accepts);
    }
    Duration window =
        switch (m.group(3)) {
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    return new RateLimit(requests, window);
  }

  private static List<IpRange> trustedProxies(@Nullable String raw) {
    if (raw == null) {
      return List.of();
    }
    List<IpRange> ranges = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      String entry = part.strip();
      String accepts =
          "must be a comma-separated list of IP addresses or CIDR ranges such as"
              + " 10.0.0.0/8,192.168.1.7,2001:db8::/32; \""
              + entry
              + "\" is not one";
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress network = ipLiteral(address);
      if (network == null) {
        throw new OdimConfigException("ODIM_TRUSTED_PROXIES", accepts);
      }
      int max = network.getAddress().length * 8;
      int prefix = max;
      if (slash >= 0) {
        String bits = entry.substring(slash + 1);
        if (!bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > max) {
          throw new OdimConfigException("ODIM_TRUSTED_PROXIES", accepts);
        }
        prefix = Integer.parseInt(bits);
      }
      ranges.add(new IpRange(network, prefix));
    }
    return ranges;
  }

  /** Parses an IP literal without ever asking DNS: a host name is rejected, not resolved. */
  private static @Nullable InetAddress ipLiteral(String text) {
    boolean v4 = IPV4.matcher(text).matches();
    boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static List<EncryptionKey> encryptionKeys(@Nullable String raw) {
    return raw == null ? List.of() : KeyRing.parse(raw).keys();
  }

  private static void admin(@Nullable String email, @Nullable String password) {
    if (email == null && password == null) {
      return;
    }
    if (email == null) {
      throw new OdimConfigException(
          "ODIM_ADMIN_EMAIL", "must be set when ODIM_ADMIN_PASSWORD is (both or neither)");
    }
    if (!EMAIL.matcher(email).matches()) {
      throw new OdimConfigException(
          "ODIM_ADMIN_EMAIL",
          "must be an email address such as admin@example.com, was \"" + email + "\"");
    }
    if (password == null) {
      throw new OdimConfigException(
          "ODIM_ADMIN_PASSWORD", "must be set when ODIM_ADMIN_EMAIL is (both or neither)");
    }
    if (password.length() < MIN_ADMIN_PASSWORD) {
      throw new OdimConfigException(
          "ODIM_ADMIN_PASSWORD",
          "must have at least " + MIN_ADMIN_PASSWORD + " characters (the value is not shown)");
    }
  }
}

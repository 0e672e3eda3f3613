package dev.odim.server;

import dev.odim.core.OdimConfigException;
import dev.odim.core.OdimException;
import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import dev.odim.server.internal.EmbeddedDatabase;
import dev.odim.server.internal.ServerInstances;
import dev.odim.server.internal.web.Api;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The command line: {@code serve} runs the server until SIGTERM, {@code migrate} applies the
 * database migrations and exits. Settings come from the environment and from {@code --flags} of the
 * same names. Exit codes: 0 done, 1 could not start (database unreachable, port taken), 2 bad usage
 * or configuration, with one line on stderr saying which setting and what it accepts.
 */
public final class Main {
  /** Bad usage or configuration. */
  public static final int EXIT_USAGE = 2;

  /** The configuration was fine but something it names could not be used. */
  public static final int EXIT_FAILURE = 1;

  private Main() {}

  /** Runs a command with the process environment and exits with its code (unless serving). */
  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs a command. {@code serve} returns only after the server has stopped (a JVM shutdown hook
   * stops it gracefully on SIGTERM).
   *
   * @return the exit code
   */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("odim: missing command; " + usage());
      return EXIT_USAGE;
    }
    String command = args[0];
    List<String> flags = Arrays.asList(args).subList(1, args.length);
    if (command.equals("--help") || command.equals("help")) {
      out.println(help());
      return 0;
    }
    if (!command.equals("serve") && !command.equals("migrate")) {
      err.println("odim: unknown command \"" + command + "\"; " + usage());
      return EXIT_USAGE;
    }
    ServerConfig config;
    try {
      config = ServerConfig.parse(flags, env);
    } catch (OdimConfigException e) {
      err.println(configLine(e));
      return EXIT_USAGE;
    }
    try {
      return command.equals("serve") ? serve(config, routes -> {}, out) : migrate(config, out);
    } catch (OdimConfigException e) {
      err.println(configLine(e));
      return EXIT_USAGE;
    } catch (OdimException | io.javalin.util.JavalinException e) {
      err.println("odim: cannot " + command + ": " + e.getMessage());
      return EXIT_FAILURE;
    }
  }

  /**
   * Serves until SIGTERM: the JVM shutdown hook stops the server gracefully. Package-private so
   * that a test can run the very same path in a child process, with a slow route of its own.
   */
  static int serve(ServerConfig config, Consumer<Api> extraRoutes, PrintStream out) {
    OdimServer server = OdimServer.start(config, Clock.systemUTC(), extraRoutes);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "odim-shutdown"));
    out.println(
        "odim: serving on http://localhost:"
            + server.port()
            + " ("
            + server.databaseDescription()
            + ")");
    out.flush();
    server.awaitStop();
    return 0;
  }

  private static int migrate(ServerConfig config, PrintStream out) {
    EmbeddedDatabase embedded = null;
    try {
      DatabaseUrl url = config.databaseUrl();
      if (url == null) {
        embedded = EmbeddedDatabase.start(config.dataDirectory().resolve("postgres"));
        url = DatabaseUrl.parse(embedded.jdbcUrl());
      }
      try (Db db = Db.builder(url).poolName("odim-migrate").maximumPoolSize(2).build()) {
        int applied = db.migrate(ServerInstances.SCHEMA, ServerInstances.MIGRATIONS);
        out.println("odim: " + applied + " migration(s) applied to " + ServerInstances.SCHEMA);
      }
      return 0;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** {@code odim: PORT must be ...}: the setting first, then what it accepts. */
  static String configLine(OdimConfigException e) {
    String message = String.valueOf(e.getMessage());
    String prefix = e.setting() + ": ";
    String what = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    return "odim: " + e.setting() + " " + what;
  }

  private static String usage() {
    return "usage: odim serve|migrate [--port N] [--database-url URL] ... (odim --help lists all)";
  }

  private static String help() {
    StringBuilder text =
        new StringBuilder("usage: odim serve|migrate [flags]\n\nSettings (flag or variable):\n");
    for (String setting : ServerConfig.SETTINGS) {
      text.append(String.format("  %-24s %s%n", ServerConfig.flagName(setting), setting));
    }
    return text.toString().stripTrailing();
  }
}

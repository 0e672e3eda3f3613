package dev.odim.server.internal;

import dev.odim.core.Ids;
import dev.odim.core.db.Db;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The server's own table, {@code odim_server.server_instances}: each process records itself when it
 * starts and again when it stops gracefully, so an operator can tell a drained instance from one
 * that died.
 */
public final class ServerInstances {
  /** The schema this module owns. */
  public static final String SCHEMA = "odim_server";

  /** Where its migrations live on the class path. */
  public static final String MIGRATIONS = "db/migration/odim_server";

  private final Db db;
  private final Clock clock;
  private final Ids ids;

  public ServerInstances(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.ids = new Ids(clock);
  }

  /** Records this process as started and returns its id. */
  public UUID register(String host, long pid, String version) {
    UUID id = ids.next();
    db.useTransaction(
        handle ->
            handle
                .createUpdate(
                    "INSERT INTO odim_server.server_instances (id, host, pid, version, started_at)"
                        + " VALUES (:id, :host, :pid, :version, :now)")
                .bind("id", id)
                .bind("host", host)
                .bind("pid", pid)
                .bind("version", version)
                .bind("now", now())
                .execute());
    return id;
  }

  /** Records a graceful stop of the instance. */
  public void markStopped(UUID id) {
    db.useTransaction(
        handle ->
            handle
                .createUpdate(
                    "UPDATE odim_server.server_instances SET stopped_at = :now"
                        + " WHERE id = :id AND stopped_at IS NULL")
                .bind("id", id)
                .bind("now", now())
                .execute());
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}

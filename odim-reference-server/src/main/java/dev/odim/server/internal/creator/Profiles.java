package dev.odim.server.internal.creator;

import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.db.Db;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.SqlErrors;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The creator_profiles table: one row per creator, changed only with the version it was read at.
 */
public final class Profiles {
  private final Db db;
  private final Clock clock;
  private final AuditLog audit;

  public Profiles(Db db, Clock clock, AuditLog audit) {
    this.db = db;
    this.clock = clock;
    this.audit = audit;
  }

  /** A stored profile; {@code bioHtml} is sanitised. */
  public record Profile(
      UUID userId, String handle, String displayName, String bioHtml, int version) {}

  public Optional<Profile> ofCreator(UUID userId) {
    return find("user_id = :key", userId);
  }

  public Optional<Profile> byHandle(String handle) {
    return find("handle = :key", handle);
  }

  /**
   * Creates the profile ({@code expectedVersion} 0) or replaces version {@code expectedVersion} of
   * it, returning the stored profile. {@code event} is completed with the target and recorded in
   * the same transaction.
   *
   * @throws dev.odim.core.ProblemException 412 when the profile is not at that version, 409 when
   *     the handle belongs to another creator
   */
  public Profile save(
      UUID userId,
      int expectedVersion,
      String handle,
      String displayName,
      String bioHtml,
      AuditEvent.Builder event) {
    try {
      return db.inTransaction(
          h -> {
            int changed =
                expectedVersion == 0
                    ? h.createUpdate(
                            """
                            INSERT INTO odim_server.creator_profiles
                                (user_id, handle, display_name, bio_html, version, updated_at)
                            VALUES (:user, :handle, :name, :bio, 1, :now)
                            ON CONFLICT (user_id) DO NOTHING
                            """)
                        .bind("user", userId)
                        .bind("handle", handle)
                        .bind("name", displayName)
                        .bind("bio", bioHtml)
                        .bind("now", clock.instant().truncatedTo(ChronoUnit.MICROS))
                        .execute()
                    : h.createUpdate(
                            """
                            UPDATE odim_server.creator_profiles
                               SET handle = :handle, display_name = :name, bio_html = :bio,
                                   version = version + 1, updated_at = :now
                             WHERE user_id = :user AND version = :version
                            """)
                        .bind("user", userId)
                        .bind("handle", handle)
                        .bind("name", displayName)
                        .bind("bio", bioHtml)
                        .bind("version", expectedVersion)
                        .bind("now", clock.instant().truncatedTo(ChronoUnit.MICROS))
                        .execute();
            if (changed == 0) {
              throw ProblemCode.PRECONDITION_FAILED.exception(
                  "The profile is not at version "
                      + expectedVersion
                      + " any more; read it again and reapply your change.");
            }
            Profile saved = new Profile(userId, handle, displayName, bioHtml, expectedVersion + 1);
            audit.record(
                h,
                event
                    .target("creator:" + handle)
                    .summary("Profile saved at version " + saved.version())
                    .build());
            return saved;
          });
    } catch (UnableToExecuteStatementException e) {
      if (SqlErrors.isUniqueViolation(e)) {
        throw ProblemCode.HANDLE_TAKEN.exception("Choose another handle; " + handle + " is taken.");
      }
      throw e;
    }
  }

  private Optional<Profile> find(String where, Object key) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT user_id, handle, display_name, bio_html, version"
                        + " FROM odim_server.creator_profiles WHERE "
                        + where)
                .bind("key", key)
                .map(
                    (rs, c) ->
                        new Profile(
                            rs.getObject("user_id", UUID.class),
                            rs.getString("handle"),
                            rs.getString("display_name"),
                            rs.getString("bio_html"),
                            rs.getInt("version")))
                .findOne());
  }
}

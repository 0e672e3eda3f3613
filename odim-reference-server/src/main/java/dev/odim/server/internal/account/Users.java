package dev.odim.server.internal.account;

import dev.odim.core.crypto.BlindIndex;
import dev.odim.core.crypto.FieldCipher;
import dev.odim.core.db.Db;
import dev.odim.server.internal.web.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The users table. Email and name are stored only encrypted, each ciphertext bound to its row and
 * column (associated data), and the email is found through its blind index; during a key rotation a
 * lookup tries the index under every key of the ring.
 */
public final class Users {
  private final Db db;
  private final Clock clock;
  private final FieldCipher cipher;
  private final BlindIndex emailIndex;

  public Users(Db db, Clock clock, FieldCipher cipher, BlindIndex emailIndex) {
    this.db = db;
    this.clock = clock;
    this.cipher = cipher;
    this.emailIndex = emailIndex;
  }

  /** A user, decrypted. */
  public record User(
      UUID id, Role role, String email, String name, String passwordHash, Instant createdAt) {
    @Override
    public String toString() {
      // Personal data and the hash stay out of logs.
      return "User[" + id + ", " + role.wireName() + "]";
    }
  }

  /**
   * Creates a user inside the caller's transaction; empty when the email is taken (under any key of
   * the ring).
   */
  public Optional<User> create(
      Handle handle, Role role, String email, String name, String passwordHash) {
    if (emailTaken(handle, email)) {
      return Optional.empty();
    }
    UUID id = UUID.randomUUID();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    int inserted =
        handle
            .createUpdate(
                """
                INSERT INTO odim_server.users (id, role, email_index, email_encrypted,
                    name_encrypted, password_hash, password_changed_at, created_at)
                VALUES (:id, :role, :index, :email, :name, :hash, :now, :now)
                ON CONFLICT (email_index) DO NOTHING
                """)
            .bind("id", id)
            .bind("role", role.wireName())
            .bind("index", emailIndex.current(email))
            .bind("email", cipher.encrypt(email, emailContext(id)))
            .bind("name", cipher.encrypt(name, nameContext(id)))
            .bind("hash", passwordHash)
            .bind("now", now)
            .execute();
    if (inserted == 0) {
      return Optional.empty();
    }
    return Optional.of(new User(id, role, email, name, passwordHash, now));
  }

  /** The user with this email, whichever key of the ring indexed it. */
  public Optional<User> findByEmail(String email) {
    List<byte[]> candidates = emailIndex.candidates(email);
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM odim_server.users WHERE email_index IN (<indexes>)")
                .bindList("indexes", candidates)
                .map((rs, c) -> user(rs))
                .findFirst());
  }

  /**
   * The email's blind index under the active key: a stable name for the account that holds no
   * personal data (the login throttle keys on it).
   */
  public byte[] emailKey(String email) {
    return emailIndex.current(email);
  }

  /** The user with this id. */
  public Optional<User> find(UUID id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM odim_server.users WHERE id = :id")
                .bind("id", id)
                .map((rs, c) -> user(rs))
                .findOne());
  }

  /** Replaces the password hash (a change, or a rehash with stronger parameters at login). */
  public void setPasswordHash(Handle handle, UUID id, String passwordHash, boolean changed) {
    handle
        .createUpdate(
            "UPDATE odim_server.users SET password_hash = :hash, version = version + 1"
                + (changed ? ", password_changed_at = :now" : "")
                + " WHERE id = :id")
        .bind("hash", passwordHash)
        .bind("now", clock.instant().truncatedTo(ChronoUnit.MICROS))
        .bind("id", id)
        .execute();
  }

  private boolean emailTaken(Handle handle, String email) {
    return handle
        .createQuery(
            "SELECT EXISTS (SELECT 1 FROM odim_server.users WHERE email_index IN (<indexes>))")
        .bindList("indexes", emailIndex.candidates(email))
        .mapTo(Boolean.class)
        .one();
  }

  private User user(ResultSet rs) throws SQLException {
    UUID id = rs.getObject("id", UUID.class);
    return new User(
        id,
        Role.fromWireName(rs.getString("role")),
        cipher.decrypt(rs.getString("email_encrypted"), emailContext(id)),
        cipher.decrypt(rs.getString("name_encrypted"), nameContext(id)),
        rs.getString("password_hash"),
        rs.getTimestamp("created_at").toInstant());
  }

  static String emailContext(UUID id) {
    return "odim_server.users.email_encrypted:" + id;
  }

  static String nameContext(UUID id) {
    return "odim_server.users.name_encrypted:" + id;
  }
}

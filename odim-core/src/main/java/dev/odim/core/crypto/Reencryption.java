package dev.odim.core.crypto;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * Moves one encrypted column onto the key ring's active key after a rotation: every row whose value
 * is under an older key is decrypted and encrypted again, and its blind index (if it has one)
 * recomputed, a batch of rows per transaction. When {@link #run} returns, no row that existed when
 * it started is left under an older key, except rows the application changed meanwhile, which it
 * wrote under the active key itself (they are counted in {@link Result#skipped}). An older key can
 * then be removed from the ring once every encrypted column has been run.
 *
 * <pre>{@code
 * Reencryption emails = Reencryption.builder(db, cipher)
 *     .table("users")
 *     .column("email")                           // text, FieldCipher ciphertexts
 *     .context(id -> "users.email:" + id)        // as the application encrypts it
 *     .blindIndex("email_index", emailIndex)     // bytea, BlindIndex.current
 *     .build();
 * Reencryption.Result result = emails.run();     // safe to run again, or while the app writes
 * }</pre>
 *
 * <p>It needs no lock and no downtime. Rows are read by id in pages of {@link Builder#batchSize},
 * only those not under the active key; each is written back only if its value is still the one that
 * was read ({@code WHERE id = ? AND column = ?}), so a value the application changed in the
 * meantime is never overwritten with the old one. Run it from a scheduled job once every server has
 * the new ring: a server still on the old ring keeps writing under the old key.
 */
public final class Reencryption {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Pattern TABLE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

  /**
   * What a run did.
   *
   * @param rewritten rows moved to the active key
   * @param skipped rows the application changed between this run's read and its write; their new
   *     value is the application's, and is under the active key unless a server still runs with the
   *     old ring (then the next run moves it)
   */
  public record Result(long rewritten, long skipped) {}

  private record Row(Object id, String value) {}

  private record Rewrite(Row row, String value, byte @Nullable [] index) {}

  private final Db db;
  private final FieldCipher cipher;
  private final String table;
  private final String idColumn;
  private final String column;
  private final Function<Object, String> context;
  private final @Nullable String indexColumn;
  private final @Nullable BlindIndex blindIndex;
  private final int batchSize;

  private Reencryption(Builder builder) {
    this.db = builder.db;
    this.cipher = builder.cipher;
    this.table = Objects.requireNonNull(builder.table);
    this.idColumn = builder.idColumn;
    this.column = Objects.requireNonNull(builder.column);
    this.context = Objects.requireNonNull(builder.context);
    this.indexColumn = builder.indexColumn;
    this.blindIndex = builder.blindIndex;
    this.batchSize = builder.batchSize;
  }

  /** A re-encryption of one column of one table, with {@code cipher}'s key ring. */
  public static Builder builder(Db db, FieldCipher cipher) {
    return new Builder(db, cipher);
  }

  /**
   * Rewrites every row whose value is not under the active key, a batch per transaction. A batch
   * that committed stays done, so a run that stops (a crash, a deploy) is simply run again.
   *
   * @throws DecryptionException naming the row, when a value does not decrypt (a missing key, or a
   *     value that was changed or copied from another row); the batches before it are kept
   */
  public Result run() {
    long rewritten = 0;
    long skipped = 0;
    @Nullable Object after = null;
    while (true) {
      Object from = after;
      List<Row> page = db.withHandle(h -> stalePage(h, from));
      if (page.isEmpty()) {
        return new Result(rewritten, skipped);
      }
      List<Rewrite> rewrites = page.stream().map(this::rewrite).toList();
      int[] updated = db.inTransaction(h -> write(h, rewrites));
      for (int count : updated) {
        if (count == 1) {
          rewritten++;
        } else {
          skipped++;
        }
      }
      after = page.getLast().id();
    }
  }

  private List<Row> stalePage(Handle handle, @Nullable Object after) {
    // starts_with, not LIKE: a key id may hold '_', which LIKE reads as a wildcard.
    String sql =
        "SELECT "
            + idColumn
            + ", "
            + column
            + " FROM "
            + table
            + " WHERE "
            + column
            + " IS NOT NULL AND NOT starts_with("
            + column
            + ", :prefix)"
            + (after == null ? "" : " AND " + idColumn + " > :after")
            + " ORDER BY "
            + idColumn
            + " LIMIT :limit";
    Query query =
        handle.createQuery(sql).bind("prefix", cipher.currentPrefix()).bind("limit", batchSize);
    if (after != null) {
      query.bind("after", after);
    }
    return query.map((rs, ctx) -> new Row(rs.getObject(1), rs.getString(2))).list();
  }

  /** Decrypts and encrypts outside the transaction, so that it holds its row locks briefly. */
  private Rewrite rewrite(Row row) {
    String rowContext = context.apply(row.id());
    try {
      if (blindIndex == null) {
        return new Rewrite(row, cipher.reencrypt(row.value(), rowContext), null);
      }
      String plaintext = cipher.decrypt(row.value(), rowContext);
      return new Rewrite(row, cipher.encrypt(plaintext, rowContext), blindIndex.current(plaintext));
    } catch (DecryptionException e) {
      throw new DecryptionException(
          e.keyId(),
          table + "." + column + " of the row " + idColumn + "=" + row.id() + ": " + e.getMessage(),
          e);
    }
  }

  private int[] write(Handle handle, List<Rewrite> rewrites) {
    String sql =
        "UPDATE "
            + table
            + " SET "
            + column
            + " = :value"
            + (indexColumn == null ? "" : ", " + indexColumn + " = :index")
            + " WHERE "
            + idColumn
            + " = :id AND "
            + column
            + " = :old";
    PreparedBatch batch = handle.prepareBatch(sql);
    for (Rewrite rewrite : rewrites) {
      batch.bind("id", rewrite.row().id()).bind("old", rewrite.row().value());
      batch.bind("value", rewrite.value());
      if (indexColumn != null) {
        batch.bind("index", rewrite.index());
      }
      batch.add();
    }
    return batch.execute();
  }

  @Override
  public String toString() {
    return "Reencryption[" + table + "." + column + "]";
  }

  /** Describes the column to re-encrypt; {@link #table}, {@link #column} and {@link #context}. */
  public static final class Builder {
    private final Db db;
    private final FieldCipher cipher;
    private @Nullable String table;
    private String idColumn = "id";
    private @Nullable String column;
    private @Nullable Function<Object, String> context;
    private @Nullable String indexColumn;
    private @Nullable BlindIndex blindIndex;
    private int batchSize = 200;

    private Builder(Db db, FieldCipher cipher) {
      this.db = Objects.requireNonNull(db, "db");
      this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /** The table, optionally with its schema: {@code "users"}, {@code "odim_auth.users"}. */
    public Builder table(String table) {
      if (!TABLE.matcher(table).matches()) {
        throw new OdimConfigException(
            "table", "must be a plain SQL name, optionally schema.name, was \"" + table + "\"");
      }
      this.table = table;
      return this;
    }

    /**
     * The table's key column (default {@code id}): unique, orderable, and what {@link #context} is
     * given.
     */
    public Builder idColumn(String idColumn) {
      this.idColumn = identifier("idColumn", idColumn);
      return this;
    }

    /** The {@code text} column holding {@link FieldCipher} ciphertexts; nulls are left alone. */
    public Builder column(String column) {
      this.column = identifier("column", column);
      return this;
    }

    /**
     * The context a row's value was encrypted with, from the row's id as the JDBC driver returns it
     * ({@code Long} for {@code bigint}, {@code UUID} for {@code uuid}): the same function the
     * application uses, or nothing will decrypt.
     */
    public Builder context(Function<Object, String> context) {
      this.context = Objects.requireNonNull(context, "context");
      return this;
    }

    /** The {@code bytea} column holding {@code index.current(value)}, rewritten with the value. */
    public Builder blindIndex(String indexColumn, BlindIndex index) {
      this.indexColumn = identifier("blindIndex", indexColumn);
      this.blindIndex = Objects.requireNonNull(index, "index");
      return this;
    }

    /** Rows per read and per transaction (default 200, 1 to 10000). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new OdimConfigException("batchSize", "must be 1 to 10000, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * The re-encryption.
     *
     * @throws OdimConfigException naming the first of table, column and context not set
     */
    public Reencryption build() {
      if (table == null) {
        throw new OdimConfigException("table", "must be set");
      }
      if (column == null) {
        throw new OdimConfigException("column", "must be set");
      }
      if (context == null) {
        throw new OdimConfigException(
            "context", "must be set to how the application names a row's context");
      }
      return new Reencryption(this);
    }

    private static String identifier(String setting, String name) {
      if (!IDENTIFIER.matcher(name).matches()) {
        throw new OdimConfigException(
            setting, "must be a plain SQL name ([A-Za-z_][A-Za-z0-9_]*), was \"" + name + "\"");
      }
      return name;
    }
  }
}

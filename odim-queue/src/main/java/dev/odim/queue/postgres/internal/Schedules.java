package dev.odim.queue.postgres.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.NewJob;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Recurring schedules' slots. Firing a slot is a conditional upsert of the schedule's row and the
 * enqueue of its job in one transaction: of many instances firing the same slot at once, the row
 * lock lets one through, and the others find the slot already recorded.
 */
public final class Schedules {
  private final Db db;
  private final QueueSql sql;
  private final Enqueuer enqueuer;

  public Schedules(Db db, QueueSql sql, Enqueuer enqueuer) {
    this.db = db;
    this.sql = sql;
    this.enqueuer = enqueuer;
  }

  public Optional<Instant> lastFired(String schedule) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.lastFired)
                .bind("name", schedule)
                .map((row, context) -> JobRows.instant(row, "last_slot"))
                .findFirst());
  }

  public boolean fire(String schedule, Instant slot, NewJob job, Instant now) {
    return db.inTransaction(
        handle -> {
          boolean recorded =
              handle
                  .createQuery(sql.fireSchedule)
                  .bind("name", schedule)
                  .bind("slot", JobRows.time(slot))
                  .mapTo(String.class)
                  .findFirst()
                  .isPresent();
          if (recorded) {
            enqueuer.enqueue(handle, List.of(job), now);
          }
          return recorded;
        });
  }
}

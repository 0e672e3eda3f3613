package dev.odim.queue;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A recurring job: a Unix cron expression (five fields, minute precision) read in a time zone.
 * Workers that carry the same schedule fire each slot once between them, however many run.
 *
 * <pre>{@code
 * Schedule.cron("reconcile-hourly", "0 * * * *", ZoneId.of("Africa/Lagos"),
 *     NewJob.of("reconcile", "{}"));
 * }</pre>
 *
 * @param name unique among schedules; the slot's job id is derived from it
 * @param expression the cron expression
 * @param zone the time zone the expression is read in (daylight saving aware)
 * @param job the job to enqueue per slot; its id is replaced by one derived from name and slot
 */
public record Schedule(String name, String expression, ZoneId zone, NewJob job) {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  public Schedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(job, "job");
    if (name.isBlank() || name.length() > 200) {
      throw new InvalidJobException("schedule", "name must be 1 to 200 characters");
    }
    parse(expression);
  }

  /**
   * A schedule from a five-field Unix cron expression.
   *
   * @throws InvalidJobException when the expression does not parse
   */
  public static Schedule cron(String name, String expression, ZoneId zone, NewJob job) {
    return new Schedule(name, expression, zone, job);
  }

  /** The latest slot at or before {@code now}, if the expression ever matched before it. */
  public Optional<Instant> latestSlotAtOrBefore(Instant now) {
    ExecutionTime times = ExecutionTime.forCron(parse(expression));
    ZonedDateTime at = now.atZone(zone);
    if (times.isMatch(at.withSecond(0).withNano(0)) && !at.withSecond(0).withNano(0).isAfter(at)) {
      return Optional.of(at.withSecond(0).withNano(0).toInstant());
    }
    return times.lastExecution(at).map(ZonedDateTime::toInstant);
  }

  /** The first slot after {@code now}. */
  public Optional<Instant> nextSlotAfter(Instant now) {
    return ExecutionTime.forCron(parse(expression))
        .nextExecution(now.atZone(zone))
        .map(ZonedDateTime::toInstant);
  }

  /** The job for one slot, with an id derived from the schedule's name and the slot. */
  public NewJob jobFor(Instant slot) {
    UUID id =
        UUID.nameUUIDFromBytes(
            ("odim-schedule:" + name + "@" + slot)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return job.id(id);
  }

  private static Cron parse(String expression) {
    try {
      return UNIX.parse(expression).validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(
          "schedule",
          "not a five-field cron expression: \"" + expression + "\": " + e.getMessage());
    }
  }
}

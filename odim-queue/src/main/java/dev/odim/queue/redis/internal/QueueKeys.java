package dev.odim.queue.redis.internal;

import java.util.UUID;

/**
 * The Redis keys of one queue. Every key starts with {@code <prefix>:{<queue>}}: the braces are a
 * hash tag, so Redis Cluster keeps a whole queue on one slot and a script may touch any of its
 * keys.
 *
 * @param queue the queue's name
 * @param base {@code <prefix>:{<queue>}}, the start of every key of the queue
 */
public record QueueKeys(String queue, String base) {

  public static QueueKeys of(String prefix, String queue) {
    return new QueueKeys(queue, prefix + ":{" + queue + "}");
  }

  /** The fixed keys, in the order lib.lua reads them from KEYS. */
  public String[] scriptKeys() {
    return new String[] {
      base + ":due",
      base + ":scheduled",
      base + ":active",
      base + ":blocked",
      dead(),
      base + ":dedup",
      base + ":seq",
      schedules(),
      leases(),
      attempts()
    };
  }

  /** The keys that exist while the queue holds any job (Redis deletes an emptied sorted set). */
  public String[] jobSets() {
    return new String[] {
      base + ":due", base + ":scheduled", base + ":active", base + ":blocked", dead()
    };
  }

  public String job(UUID id) {
    return base + ":job:" + id;
  }

  /** The lease records of the jobs being run, by id. */
  public String leases() {
    return base + ":leases";
  }

  /** The attempts made of each job that has made any, by id. */
  public String attempts() {
    return base + ":attempts";
  }

  public String dead() {
    return base + ":dead";
  }

  public String schedules() {
    return base + ":schedules";
  }

  /** The pub/sub channel the enqueueing scripts publish to. */
  public String wakeChannel() {
    return base + ":wake";
  }
}

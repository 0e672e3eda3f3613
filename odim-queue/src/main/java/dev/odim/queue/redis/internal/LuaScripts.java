package dev.odim.queue.redis.internal;

import dev.odim.queue.QueueException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backend's Lua scripts, loaded into Redis once and run by digest (EVALSHA), so that every
 * state move is one atomic step and one round trip. Each script is {@code lib.lua} followed by its
 * own file, under {@code dev/odim/queue/redis/} on the class path.
 */
public final class LuaScripts {

  /** One script per state move or admin read; the file is the lower-case name. */
  public enum Script {
    ENQUEUE,
    LEASE,
    COMPLETE,
    RETRY,
    DEAD_LETTER,
    RELEASE,
    HEARTBEAT,
    FIRE_SCHEDULE,
    COUNTS,
    DEAD_PAGE,
    REPLAY,
    DISCARD,
    PURGE;

    String file() {
      return name().toLowerCase(Locale.ROOT) + ".lua";
    }
  }

  private static final String FOLDER = "/dev/odim/queue/redis/";

  private final RedisCommands<String, String> redis;
  private final String retentionMillis;
  private final Map<Script, String> sources = new EnumMap<>(Script.class);
  private final Map<Script, String> digests = new ConcurrentHashMap<>();

  /**
   * Loads every script into Redis, so that one that does not compile fails here, at start-up.
   *
   * @param finishedJobRetention how long a finished job's id stays a duplicate
   */
  public LuaScripts(RedisCommands<String, String> redis, Duration finishedJobRetention) {
    this.redis = redis;
    this.retentionMillis = Long.toString(finishedJobRetention.toMillis());
    String lib = resource("lib.lua");
    for (Script script : Script.values()) {
      sources.put(script, lib + "\n" + resource(script.file()));
      digests.put(script, load(script));
    }
  }

  /**
   * Runs {@code script} on {@code queue}'s keys with {@code args} after the common arguments.
   *
   * @param nowMillis the caller's now, or 0 for a script that reads no time
   * @throws QueueException when Redis fails or cannot be reached
   */
  public <T> T run(
      Script script, ScriptOutputType output, QueueKeys queue, long nowMillis, List<String> args) {
    List<String> values = new ArrayList<>(args.size() + 3);
    values.add(queue.base());
    values.add(Long.toString(nowMillis));
    values.add(retentionMillis);
    values.addAll(args);
    String[] argv = values.toArray(String[]::new);
    try {
      try {
        return redis.evalsha(digests.get(script), output, queue.scriptKeys(), argv);
      } catch (RedisNoScriptException e) {
        // Redis restarted or its script cache was flushed: load it again, once.
        digests.put(script, load(script));
        return redis.evalsha(digests.get(script), output, queue.scriptKeys(), argv);
      }
    } catch (RedisException e) {
      throw new QueueException(
          "Redis failed to run " + script.file() + " on queue " + queue.queue() + ": " + e, e);
    }
  }

  private String load(Script script) {
    return redis.scriptLoad(sources.get(script));
  }

  private static String resource(String file) {
    try (InputStream in = LuaScripts.class.getResourceAsStream(FOLDER + file)) {
      if (in == null) {
        throw new IllegalStateException("missing script " + FOLDER + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

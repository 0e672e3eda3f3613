package dev.odim.queue.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Wakes idle workers when jobs are enqueued: one pub/sub connection for the whole backend, opened
 * on the first subscription, with one Redis subscription per channel however many workers listen.
 * Lettuce re-subscribes after a reconnect; a wake-up lost meanwhile only delays a job until the
 * worker's next poll.
 */
public final class Wakeups implements AutoCloseable {
  private final RedisClient client;
  private final Map<String, List<Runnable>> listeners = new ConcurrentHashMap<>();
  private @Nullable StatefulRedisPubSubConnection<String, String> connection;

  public Wakeups(RedisClient client) {
    this.client = client;
  }

  /** Calls {@code wake} for every message on {@code channel} until the result is closed. */
  public synchronized AutoCloseable subscribe(String channel, Runnable wake) {
    StatefulRedisPubSubConnection<String, String> pubSub = connection();
    // a wrapper per call, so that the same Runnable subscribed twice is also closed twice
    Runnable subscription = wake::run;
    List<Runnable> wakes = listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
    wakes.add(subscription);
    if (wakes.size() == 1) {
      pubSub.sync().subscribe(channel);
    }
    return () -> unsubscribe(channel, subscription);
  }

  private synchronized void unsubscribe(String channel, Runnable subscription) {
    List<Runnable> wakes = listeners.get(channel);
    if (wakes == null || !wakes.remove(subscription) || !wakes.isEmpty()) {
      return;
    }
    listeners.remove(channel);
    if (connection != null && connection.isOpen()) {
      connection.sync().unsubscribe(channel);
    }
  }

  private StatefulRedisPubSubConnection<String, String> connection() {
    if (connection == null) {
      connection = client.connectPubSub(StringCodec.UTF8);
      connection.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              for (Runnable wake : listeners.getOrDefault(channel, List.of())) {
                try {
                  wake.run();
                } catch (RuntimeException e) {
                  // one listener's failure must not keep the others asleep
                }
              }
            }
          });
    }
    return connection;
  }

  @Override
  public synchronized void close() {
    listeners.clear();
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}

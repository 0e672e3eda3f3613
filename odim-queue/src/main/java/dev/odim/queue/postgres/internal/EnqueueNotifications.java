package dev.odim.queue.postgres.internal;

import dev.odim.queue.QueueException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wakes idle workers when jobs are enqueued: one thread per backend LISTENs on the schema's
 * channel, on one pooled connection held while anyone subscribes, and runs the wake-ups of the
 * queue each notification names. Notifications only hurry workers along (they poll anyway), so a
 * lost connection costs latency, not jobs: the thread reconnects with backoff and wakes everyone,
 * since it cannot know what it missed.
 */
public final class EnqueueNotifications implements AutoCloseable {
  /** How long one wait for notifications blocks; also how soon the thread notices it must stop. */
  private static final int WAIT_MILLIS = 500;

  /** A silent connection may be a dead one (a half-open TCP connection never errors): check it. */
  private static final Duration QUIET_CHECK = Duration.ofSeconds(30);

  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  private final DataSource dataSource;
  private final String channel;
  private final Map<String, Set<Subscription>> subscriptions = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  /** The thread that should be listening now; null while nobody subscribes. */
  private @Nullable Thread listener;

  /** Every thread started and maybe still running, so that close() can wait for all of them. */
  private final List<Thread> started = new ArrayList<>();

  private boolean closed;

  /** One subscriber's wake-up; its own object, so the same Runnable may subscribe twice. */
  private record Subscription(Runnable wake) {}

  public EnqueueNotifications(DataSource dataSource, String channel) {
    this.dataSource = dataSource;
    this.channel = channel;
  }

  public AutoCloseable subscribe(String queue, Runnable wake) {
    Subscription subscription = new Subscription(wake);
    synchronized (lock) {
      if (closed) {
        throw new QueueException("the PostgreSQL backend is closed");
      }
      subscriptions.computeIfAbsent(queue, q -> ConcurrentHashMap.newKeySet()).add(subscription);
      if (listener == null) {
        started.removeIf(thread -> !thread.isAlive());
        listener =
            Thread.ofPlatform()
                .daemon()
                .name("odim-queue-listen-" + channel)
                .start(this::listenWhileSubscribed);
        started.add(listener);
      }
    }
    // Like a reconnect, a new subscriber cannot know what was enqueued before it listened; and the
    // listening thread's own wake-up of everyone may have run before this subscription was added.
    run(subscription);
    return () -> unsubscribe(queue, subscription);
  }

  private void unsubscribe(String queue, Subscription subscription) {
    synchronized (lock) {
      Set<Subscription> ofQueue = subscriptions.get(queue);
      if (ofQueue != null) {
        ofQueue.remove(subscription);
        if (ofQueue.isEmpty()) {
          subscriptions.remove(queue);
        }
      }
      if (subscriptions.isEmpty()) {
        listener = null; // the thread sees it within one wait and gives its connection back
      }
    }
  }

  private boolean stillListening() {
    synchronized (lock) {
      return listener == Thread.currentThread();
    }
  }

  private void listenWhileSubscribed() {
    Duration retry = FIRST_RETRY;
    while (stillListening()) {
      try {
        listen();
        retry = FIRST_RETRY;
      } catch (SQLException | RuntimeException e) {
        pause(retry);
        retry =
            retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
      }
    }
  }

  private void listen() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("LISTEN " + channel);
      }
      try {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        wakeEveryone(); // jobs may have come while nobody listened
        long quietSince = System.nanoTime();
        while (stillListening()) {
          PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
          if (notifications != null && notifications.length > 0) {
            for (PGNotification notification : notifications) {
              wake(notification.getParameter());
            }
            quietSince = System.nanoTime();
          } else if (System.nanoTime() - quietSince > QUIET_CHECK.toNanos()) {
            if (!connection.isValid(5)) {
              throw new SQLException("the LISTEN connection stopped answering");
            }
            quietSince = System.nanoTime();
          }
        }
      } finally {
        // The connection goes back to the pool: it must not keep collecting notifications there.
        try (Statement statement = connection.createStatement()) {
          statement.execute("UNLISTEN *");
        }
      }
    }
  }

  private void wake(String queue) {
    Set<Subscription> ofQueue = subscriptions.get(queue);
    if (ofQueue != null) {
      ofQueue.forEach(EnqueueNotifications::run);
    }
  }

  private void wakeEveryone() {
    subscriptions.values().forEach(ofQueue -> ofQueue.forEach(EnqueueNotifications::run));
  }

  private static void run(Subscription subscription) {
    try {
      subscription.wake().run();
    } catch (RuntimeException e) {
      // a subscriber's failure must not stop the others' wake-ups
    }
  }

  /**
   * Stops listening and waits until every listening thread has given its connection back (within
   * one wait), so that the caller may close the pool right after.
   */
  @Override
  public void close() {
    List<Thread> stopping;
    synchronized (lock) {
      closed = true;
      subscriptions.clear();
      listener = null;
      stopping = List.copyOf(started);
    }
    for (Thread thread : stopping) {
      try {
        thread.join(Duration.ofMillis(WAIT_MILLIS * 4L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A limit with a name: at most {@code capacity} requests per {@code window} for each key (a client
 * IP, an account), e.g. {@code RatePolicy.of("default", 100, Duration.ofMinutes(1))}. Immutable and
 * checked when created.
 *
 * <h2>Refill</h2>
 *
 * A policy is a token bucket of {@code capacity} tokens. By default it refills {@link Refill#GREEDY
 * greedily}: tokens come back one by one, evenly over the window (a 100/1m bucket gains one token
 * every 600 ms). That was chosen over refilling all at once at the end of each window ({@link
 * Refill#INTERVALLY}) because interval refill lets a client spend the whole capacity just before a
 * window ends and again just after it starts, twice the limit in a moment; with greedy refill no
 * span of time {@code t} ever allows more than {@code capacity + capacity * t / window}. A refused
 * client can also come back after one token's time instead of waiting out the whole window.
 *
 * <p>A policy is identified by its name, which is part of every bucket's key: two policies with the
 * same name and different limits share buckets, so give each limit its own name. A bucket stored
 * under an old limit keeps that limit until it refills and expires.
 *
 * @param name lowercase letters, digits, {@code -}, {@code _} and {@code .}, starting with a letter
 *     (e.g. {@code default}, {@code login-ip}); sent to clients in the {@code RateLimit} headers
 * @param capacity requests allowed per window, at least 1
 * @param window the time in which {@code capacity} requests are refilled, at least 1 ms
 * @param refill how the bucket refills
 */
public record RatePolicy(String name, long capacity, Duration window, Refill refill) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  /** How a bucket gets its tokens back. */
  public enum Refill {
    /** Tokens come back one by one, evenly over the window: the default. */
    GREEDY,
    /** All tokens come back at once, a window after the bucket was created, and every window on. */
    INTERVALLY
  }

  /**
   * Checks the settings.
   *
   * @throws OdimConfigException naming the bad setting
   */
  public RatePolicy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(refill, "refill");
    if (!NAME.matcher(name).matches()) {
      throw new OdimConfigException(
          "name",
          "'"
              + name
              + "' is not a policy name: use up to 64 lowercase letters, digits, '-', '_' or '.',"
              + " starting with a letter");
    }
    if (capacity < 1) {
      throw new OdimConfigException("capacity", "must be at least 1, was " + capacity);
    }
    if (window.compareTo(Duration.ofMillis(1)) < 0) {
      throw new OdimConfigException("window", "must be at least 1 ms, was " + window);
    }
  }

  /** A policy of {@code capacity} requests per {@code window}, refilled greedily. */
  public static RatePolicy of(String name, long capacity, Duration window) {
    return new RatePolicy(name, capacity, window, Refill.GREEDY);
  }

  /**
   * The platform default for every endpoint, per client IP: 100 requests a minute ({@code
   * ODIM_RATE_LIMIT=100/1m}). A person clicking through pages makes a few requests a second at
   * most; a script hammering the API is held to under two a second.
   */
  public static RatePolicy perClientIp() {
    return of("default", 100, Duration.ofMinutes(1));
  }

  /**
   * Sign-in attempts per client IP: 20 a minute. Enough for a household or an office behind one
   * address, but password guessing from one address gets 20 guesses a minute, not 100.
   */
  public static RatePolicy loginPerIp() {
    return of("login-ip", 20, Duration.ofMinutes(1));
  }

  /**
   * Sign-in attempts per account, whatever the address: 10 per 15 minutes, so that guessing one
   * account's password from many addresses is as slow as from one. {@link FailureBackoff} adds
   * growing lock-outs on top when the attempts fail.
   */
  public static RatePolicy loginPerAccount() {
    return of("login-account", 10, Duration.ofMinutes(15));
  }

  /**
   * Sign-ups per client IP: 5 an hour. Nobody signs up more than a few times; a script creating
   * accounts is stopped early.
   */
  public static RatePolicy signupPerIp() {
    return of("signup-ip", 5, Duration.ofHours(1));
  }

  /** This policy with interval refill instead of greedy. */
  public RatePolicy refillingIntervally() {
    return new RatePolicy(name, capacity, window, Refill.INTERVALLY);
  }

  @Override
  public String toString() {
    return name
        + "("
        + capacity
        + "/"
        + window
        + (refill == Refill.GREEDY ? "" : ", intervally")
        + ")";
  }
}

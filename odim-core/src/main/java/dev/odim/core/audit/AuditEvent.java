package dev.odim.core.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One sensitive operation to record. Build it with {@link #builder(String)}:
 *
 * <pre>{@code
 * AuditEvent.builder("auth.login.failed")
 *     .actor("user:" + userId)
 *     .actorIp(request.remoteAddress())
 *     .requestId(request.id())
 *     .target("user:" + userId)
 *     .outcome(Outcome.FAILURE)
 *     .summary("Sign-in failed for " + Mask.email(email) + ": wrong password")
 *     .detail("attempt", "3")
 *     .build();
 * }</pre>
 *
 * <p>The audit log is kept for years and read by people who must not see customers' personal data,
 * so {@code summary}, {@code details}, {@code actor} and {@code target} must hold ids and masked
 * values only ({@link Mask}). As a safety net, an event carrying what looks like an email address
 * in clear is refused; other personal data (names, phone numbers, card numbers) cannot be told
 * apart from ordinary text and is the caller's to mask.
 *
 * <p>Every rule is checked here, when the event is made, so a bad event is refused with an {@link
 * IllegalArgumentException} naming the field before anything is written.
 *
 * @param action what happened, as lowercase dotted words ({@code auth.login.failed}, {@code
 *     payment.succeeded}, {@code admin.discrepancy.resolved}), at most 100 characters
 * @param actor who did it: a user id such as {@code user:<uuid>}, or {@code system}; null when
 *     unknown (a failed sign-in for an unknown account)
 * @param actorIp the client's address, or null; at most 64 characters
 * @param requestId the request or trace id that ties the row to logs, or null
 * @param target what it was done to, such as {@code payment:<reference>} or {@code user:<uuid>}
 * @param outcome how it ended
 * @param summary one masked, human sentence, 1 to 1000 characters
 * @param details up to 20 masked facts; keys are 1 to 64 of {@code [A-Za-z0-9_.-]} starting with a
 *     letter, values at most 500 characters
 */
public record AuditEvent(
    String action,
    @Nullable String actor,
    @Nullable String actorIp,
    @Nullable String requestId,
    @Nullable String target,
    Outcome outcome,
    String summary,
    Map<String, String> details) {

  /** The longest action. */
  public static final int MAX_ACTION_LENGTH = 100;

  /** The longest summary. */
  public static final int MAX_SUMMARY_LENGTH = 1000;

  /** The most details one event may carry. */
  public static final int MAX_DETAILS = 20;

  /** The longest detail value. */
  public static final int MAX_DETAIL_VALUE_LENGTH = 500;

  /** The longest actor, request id or target. */
  public static final int MAX_ID_LENGTH = 200;

  /** The longest client address (an IPv6 address with a zone fits). */
  public static final int MAX_IP_LENGTH = 64;

  private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern DETAIL_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

  /**
   * An address in clear: at least one address character right before the {@code @}, and a domain of
   * plain labels. A masked address ({@code a**@e******.com}) has a {@code *} on both sides and does
   * not match.
   */
  private static final Pattern EMAIL_IN_CLEAR =
      Pattern.compile("[A-Za-z0-9._%+-]@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");

  /**
   * Validates and freezes the event.
   *
   * @throws IllegalArgumentException naming the first field that breaks a rule
   */
  public AuditEvent {
    action = checkAction(action);
    actor = checkOptional("actor", actor, MAX_ID_LENGTH);
    actorIp = checkOptional("actorIp", actorIp, MAX_IP_LENGTH);
    requestId = checkOptional("requestId", requestId, MAX_ID_LENGTH);
    target = checkOptional("target", target, MAX_ID_LENGTH);
    if (outcome == null) {
      throw new IllegalArgumentException("outcome is required");
    }
    summary = checkSummary(summary);
    details = checkDetails(details);
  }

  /** Starts an event for {@code action}; the outcome defaults to {@link Outcome#SUCCESS}. */
  public static Builder builder(String action) {
    return new Builder(action);
  }

  /** A successful event with only an action and a summary. */
  public static AuditEvent of(String action, String summary) {
    return builder(action).summary(summary).build();
  }

  private static String checkAction(@Nullable String action) {
    if (action == null) {
      throw new IllegalArgumentException("action is required");
    }
    if (action.isBlank()) {
      throw new IllegalArgumentException("action must not be blank");
    }
    if (action.length() > MAX_ACTION_LENGTH) {
      throw new IllegalArgumentException(
          "action must be at most " + MAX_ACTION_LENGTH + " characters, was " + action.length());
    }
    if (!ACTION.matcher(action).matches()) {
      throw new IllegalArgumentException(
          "action must be lowercase dotted words such as payment.succeeded, was \""
              + action
              + "\"");
    }
    return action;
  }

  private static @Nullable String checkOptional(
      String field, @Nullable String value, int maxLength) {
    if (value == null) {
      return null;
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must be null or not blank");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " must be at most " + maxLength + " characters, was " + value.length());
    }
    checkText(field, value);
    return value;
  }

  private static String checkSummary(@Nullable String summary) {
    if (summary == null) {
      throw new IllegalArgumentException("summary is required");
    }
    if (summary.isBlank()) {
      throw new IllegalArgumentException("summary must not be blank");
    }
    if (summary.length() > MAX_SUMMARY_LENGTH) {
      throw new IllegalArgumentException(
          "summary must be at most " + MAX_SUMMARY_LENGTH + " characters, was " + summary.length());
    }
    checkText("summary", summary);
    return summary;
  }

  private static Map<String, String> checkDetails(@Nullable Map<String, String> details) {
    if (details == null) {
      return Map.of();
    }
    if (details.size() > MAX_DETAILS) {
      throw new IllegalArgumentException(
          "details must hold at most " + MAX_DETAILS + " entries, had " + details.size());
    }
    for (Map.Entry<String, String> detail : details.entrySet()) {
      String key = detail.getKey();
      if (key == null || !DETAIL_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "detail keys must be 1 to 64 of [A-Za-z0-9_.-] starting with a letter, was "
                + (key == null ? "null" : "\"" + key + "\""));
      }
      String value = detail.getValue();
      if (value == null) {
        throw new IllegalArgumentException("detail " + key + " has no value");
      }
      if (value.length() > MAX_DETAIL_VALUE_LENGTH) {
        throw new IllegalArgumentException(
            "detail "
                + key
                + " must be at most "
                + MAX_DETAIL_VALUE_LENGTH
                + " characters, was "
                + value.length());
      }
      checkText("detail " + key, value);
    }
    return Map.copyOf(details);
  }

  /**
   * Refuses what PostgreSQL cannot store exactly (NUL, unpaired surrogates: the hash is computed
   * over the UTF-8 bytes, which must round-trip) and email addresses in clear.
   */
  private static void checkText(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        throw new IllegalArgumentException(field + " must not contain NUL characters");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(field + " contains an unpaired surrogate character");
      }
    }
    if (value.indexOf('@') >= 0 && EMAIL_IN_CLEAR.matcher(value).find()) {
      throw new IllegalArgumentException(
          field + " contains an email address in clear; mask it with Mask.email(...)");
    }
  }

  /** Collects an event's fields; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private final String action;
    private @Nullable String actor;
    private @Nullable String actorIp;
    private @Nullable String requestId;
    private @Nullable String target;
    private Outcome outcome = Outcome.SUCCESS;
    private @Nullable String summary;
    private final Map<String, String> details = new LinkedHashMap<>();

    private Builder(String action) {
      this.action = action;
    }

    /** Who did it: a user id such as {@code user:<uuid>}, or {@code system}. */
    public Builder actor(@Nullable String actor) {
      this.actor = actor;
      return this;
    }

    /** The client's address. */
    public Builder actorIp(@Nullable String actorIp) {
      this.actorIp = actorIp;
      return this;
    }

    /** The request or trace id. */
    public Builder requestId(@Nullable String requestId) {
      this.requestId = requestId;
      return this;
    }

    /** What it was done to, such as {@code payment:<reference>}. */
    public Builder target(@Nullable String target) {
      this.target = target;
      return this;
    }

    /** How it ended; default {@link Outcome#SUCCESS}. */
    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    /** One masked, human sentence. */
    public Builder summary(String summary) {
      this.summary = summary;
      return this;
    }

    /** Adds one masked fact, replacing an earlier one with the same key. */
    public Builder detail(String key, String value) {
      details.put(key, value);
      return this;
    }

    /** Adds masked facts, replacing earlier ones with the same keys. */
    public Builder details(Map<String, String> details) {
      this.details.putAll(details);
      return this;
    }

    /**
     * The event.
     *
     * @throws IllegalArgumentException naming the first field that breaks a rule
     */
    public AuditEvent build() {
      return new AuditEvent(action, actor, actorIp, requestId, target, outcome, summary, details);
    }
  }
}

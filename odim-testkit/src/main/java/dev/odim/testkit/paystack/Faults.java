package dev.odim.testkit.paystack;

/**
 * The faults the simulator injects, all off in {@link #NONE}. Random decisions (which webhook to
 * drop or duplicate, which API call fails) come from the simulator's seeded random source, so a run
 * with the same seed and the same calls in the same order decides the same way.
 *
 * @param webhookDropRate the fraction of webhook events never sent (recorded as dropped)
 * @param webhookDuplicateRate the fraction of webhook events sent twice, as two deliveries
 * @param webhookDelayMs how long every webhook waits before its first attempt, in real time
 * @param webhookReorder hold webhooks for a short window and send them in a shuffled order
 * @param apiErrorRate the fraction of API calls answered 500 <em>without</em> doing anything, so a
 *     client's retry is always safe
 * @param apiLatencyMs added to every API call before it is answered
 * @param outage every API and checkout request answers 503 and webhooks wait until it ends; the
 *     control routes keep working so that the outage can be ended
 */
public record Faults(
    double webhookDropRate,
    double webhookDuplicateRate,
    long webhookDelayMs,
    boolean webhookReorder,
    double apiErrorRate,
    long apiLatencyMs,
    boolean outage) {

  /** No faults: what a simulator starts with. */
  public static final Faults NONE = new Faults(0, 0, 0, false, 0, 0, false);

  public Faults {
    rate("webhookDropRate", webhookDropRate);
    rate("webhookDuplicateRate", webhookDuplicateRate);
    rate("apiErrorRate", apiErrorRate);
    if (webhookDelayMs < 0 || webhookDelayMs > 600_000) {
      throw new IllegalArgumentException("webhookDelayMs must be between 0 and 600000");
    }
    if (apiLatencyMs < 0 || apiLatencyMs > 600_000) {
      throw new IllegalArgumentException("apiLatencyMs must be between 0 and 600000");
    }
  }

  private static void rate(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1");
    }
  }

  /** These faults with the drop rate changed. */
  public Faults withWebhookDropRate(double rate) {
    return new Faults(
        rate,
        webhookDuplicateRate,
        webhookDelayMs,
        webhookReorder,
        apiErrorRate,
        apiLatencyMs,
        outage);
  }

  /** These faults with the duplicate rate changed. */
  public Faults withWebhookDuplicateRate(double rate) {
    return new Faults(
        webhookDropRate, rate, webhookDelayMs, webhookReorder, apiErrorRate, apiLatencyMs, outage);
  }

  /** These faults with the webhook delay changed. */
  public Faults withWebhookDelayMs(long delayMs) {
    return new Faults(
        webhookDropRate,
        webhookDuplicateRate,
        delayMs,
        webhookReorder,
        apiErrorRate,
        apiLatencyMs,
        outage);
  }

  /** These faults with reordering switched on or off. */
  public Faults withWebhookReorder(boolean reorder) {
    return new Faults(
        webhookDropRate,
        webhookDuplicateRate,
        webhookDelayMs,
        reorder,
        apiErrorRate,
        apiLatencyMs,
        outage);
  }

  /** These faults with the API error rate changed. */
  public Faults withApiErrorRate(double rate) {
    return new Faults(
        webhookDropRate,
        webhookDuplicateRate,
        webhookDelayMs,
        webhookReorder,
        rate,
        apiLatencyMs,
        outage);
  }

  /** These faults with the API latency changed. */
  public Faults withApiLatencyMs(long latencyMs) {
    return new Faults(
        webhookDropRate,
        webhookDuplicateRate,
        webhookDelayMs,
        webhookReorder,
        apiErrorRate,
        latencyMs,
        outage);
  }

  /** These faults with the outage switched on or off. */
  public Faults withOutage(boolean down) {
    return new Faults(
        webhookDropRate,
        webhookDuplicateRate,
        webhookDelayMs,
        webhookReorder,
        apiErrorRate,
        apiLatencyMs,
        down);
  }
}

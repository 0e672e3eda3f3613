package dev.odim.server.internal.payment;

import dev.odim.core.db.Db;
import dev.odim.payments.Creation;
import dev.odim.payments.NewPayment;
import dev.odim.payments.PaymentIntent;
import dev.odim.payments.Payments;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.paystack.InitializeRequest;
import dev.odim.payments.paystack.Initialized;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.paystack.PaystackResult;
import dev.odim.payments.paystack.Transaction;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.account.Users;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.RetryLaterException;
import dev.odim.server.internal.web.Role;
import jakarta.validation.constraints.NotNull;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/subscriptions}, {@code GET /api/payments/{reference}} and {@code POST
 * /api/payments/{reference}/verify} (DESIGN.md). A subscription is recorded with its payment intent
 * in one transaction, then initialized at Paystack; the fan pays on Paystack's page; the webhook or
 * the fan's return (verify) settles it, whichever comes first, exactly once.
 */
public final class PaymentRoutes {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final Db db;
  private final Payments payments;
  private final Tiers tiers;
  private final Subscriptions subscriptions;
  private final Users users;
  private final SecureRandom random;
  private final PaystackConnection paystack;

  public PaymentRoutes(
      Db db,
      Payments payments,
      Tiers tiers,
      Subscriptions subscriptions,
      Users users,
      SecureRandom random,
      PaystackConnection paystack) {
    this.db = db;
    this.payments = payments;
    this.tiers = tiers;
    this.subscriptions = subscriptions;
    this.users = users;
    this.random = random;
    this.paystack = paystack;
  }

  /** {@code POST /api/subscriptions}. */
  public record Subscribe(@NotNull UUID tierId) {}

  /** The answer to a subscription: where to send the fan to pay. */
  public record Subscribed(UUID subscriptionId, String reference, String authorizationUrl) {}

  /** A payment as its payer sees it. */
  public record PaymentView(
      String reference,
      String status,
      long amount,
      String currency,
      String purpose,
      String purposeId,
      @Nullable Instant settledAt) {
    static PaymentView of(PaymentIntent intent) {
      return new PaymentView(
          intent.reference(),
          intent.status().wireName(),
          intent.amount().minor(),
          intent.amount().currency().getCurrencyCode(),
          intent.purpose(),
          intent.purposeId(),
          intent.settledAt());
    }
  }

  /** Declares the routes. */
  public void register(Api api) {
    Access payer = Access.owner(ctx -> payerOf(ctx.pathParam("reference")));
    api.post("/api/subscriptions")
        .summary("Subscribe to a tier: answers where to pay (Paystack's page)")
        .tag("payments")
        .access(Access.role(Role.FAN))
        .idempotency(Idempotency.REQUIRED)
        .body(Subscribe.class)
        .responds(201, Subscribed.class)
        .handle(this::subscribe);
    api.get("/api/payments/{reference}")
        .summary("A payment of the signed-in fan")
        .tag("payments")
        .access(payer)
        .responds(200, PaymentView.class)
        .handle(call -> call.ctx().json(PaymentView.of(intent(call))));
    api.post("/api/payments/{reference}/verify")
        .summary("Ask Paystack about a payment now (the fan is back from paying) and settle it")
        .tag("payments")
        .access(payer)
        .idempotency(Idempotency.NONE)
        .responds(200, PaymentView.class)
        .handle(this::verify);
  }

  private void subscribe(Call call) {
    UUID tierId = call.body(Subscribe.class).tierId();
    Tiers.Tier tier =
        tiers
            .find(tierId)
            .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No tier has this id."));
    UUID fan = call.principal().userId();
    String reference = "sub-" + randomText(20);
    UUID subscriptionId =
        db.inTransaction(
            h -> {
              UUID id = subscriptions.create(h, fan, tier.id(), reference);
              Creation created =
                  payments.create(
                      h,
                      new NewPayment(
                          reference,
                          fan.toString(),
                          CreatorAccounts.of(tier.creatorId()),
                          tier.price(),
                          Subscriptions.PURPOSE,
                          id.toString()));
              if (!(created instanceof Creation.Created)) {
                throw new IllegalStateException("a fresh reference existed: " + reference);
              }
              return id;
            });
    String email = users.find(fan).orElseThrow().email();
    PaystackResult<Initialized> initialized =
        paystack()
            .initialize(
                new InitializeRequest(
                    email,
                    tier.price(),
                    reference,
                    null,
                    Map.of("subscriptionId", subscriptionId.toString()),
                    List.of()));
    if (!(initialized instanceof PaystackResult.Ok<Initialized> started)
        || !started.value().checkoutKnown()) {
      // The fan was never sent to pay under this reference: the intent and its subscription are
      // abandoned now rather than left open (should Paystack report it paid after all, it still
      // settles and activates).
      db.useTransaction(
          h -> {
            payments.settle(
                h,
                new ProviderFacts(
                    reference, ProviderFacts.Outcome.ABANDONED, tier.price(), "", null),
                SettlementSource.API);
            subscriptions.abandon(h, reference);
          });
    }
    Initialized at = ok(initialized, "start the payment");
    if (!at.checkoutKnown()) {
      // An earlier attempt reached Paystack and its answer was lost: Paystack does not repeat the
      // checkout link, so this subscription starts again under a new reference.
      throw new RetryLaterException(
          ProblemCode.PROVIDER_UNAVAILABLE,
          "The payment could not be started cleanly; try again.",
          Duration.ofSeconds(1),
          Map.of());
    }
    db.useTransaction(h -> payments.markPending(h, reference));
    call.ctx()
        .status(201)
        .json(new Subscribed(subscriptionId, reference, String.valueOf(at.authorizationUrl())));
  }

  private void verify(Call call) {
    PaymentIntent intent = intent(call);
    if (!intent.status().settled()) {
      PaystackResult<Transaction> verified = paystack().verify(intent.reference());
      if (!(verified instanceof PaystackResult.NotFound<Transaction>)) {
        Transaction transaction = ok(verified, "verify the payment");
        Optional<ProviderFacts> facts = PaystackClient.toFacts(transaction);
        // The card is saved with the settlement, so a renewal can charge it whichever path
        // (this one or the webhook) settles first.
        // Batched with concurrent settlements (one commit for many fans); the card is written in
        // the settlement's savepoint.
        facts.ifPresent(
            f ->
                payments.settle(
                    f,
                    SettlementSource.VERIFY,
                    (h, settlement) ->
                        subscriptions.rememberCard(h, settlement, transaction.authorization())));
      }
    }
    call.ctx().json(PaymentView.of(payments.find(intent.reference()).orElseThrow()));
  }

  private PaymentIntent intent(Call call) {
    return payments
        .find(call.ctx().pathParam("reference"))
        .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No payment has this reference."));
  }

  private @Nullable UUID payerOf(String reference) {
    return payments
        .find(reference)
        .map(
            intent -> {
              try {
                return UUID.fromString(intent.payer());
              } catch (IllegalArgumentException e) {
                return null;
              }
            })
        .orElse(null);
  }

  /** The value of a successful call; a clear, retryable problem for an outage or refusal. */
  private static <T> T ok(PaystackResult<T> result, String what) {
    return switch (result) {
      case PaystackResult.Ok<T> ok -> ok.value();
      case PaystackResult.Unavailable<T> unavailable ->
          throw new RetryLaterException(
              ProblemCode.PROVIDER_UNAVAILABLE,
              "Paystack is not answering, so we could not "
                  + what
                  + ". Nothing was charged; try again in a moment.",
              unavailable.retryAfter().isZero() ? Duration.ofSeconds(30) : unavailable.retryAfter(),
              Map.of());
      case PaystackResult.NotFound<T> notFound ->
          throw ProblemCode.PROVIDER_REFUSED.exception(
              "Paystack does not know this payment: " + notFound.message());
      case PaystackResult.DuplicateReference<T> duplicate ->
          throw ProblemCode.PROVIDER_REFUSED.exception(
              "Paystack has this reference already: " + duplicate.message());
      case PaystackResult.Refused<T> refused ->
          throw ProblemCode.PROVIDER_REFUSED.exception(
              "Paystack refused to " + what + ": " + refused.message());
    };
  }

  private PaystackClient paystack() {
    return paystack.client();
  }

  private String randomText(int length) {
    char[] text = new char[length];
    for (int i = 0; i < length; i++) {
      text[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(text);
  }
}

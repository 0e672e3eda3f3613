package dev.odim.testkit.paystack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.testkit.paystack.Faults;
import dev.odim.testkit.paystack.Outcome;
import dev.odim.testkit.paystack.SimulatorRequest;
import dev.odim.testkit.paystack.SimulatorResponse;
import dev.odim.testkit.paystack.internal.Store.Authorization;
import dev.odim.testkit.paystack.internal.Store.Recipient;
import dev.odim.testkit.paystack.internal.Store.Refund;
import dev.odim.testkit.paystack.internal.Store.Transaction;
import dev.odim.testkit.paystack.internal.Store.Transfer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's routes: Paystack's API subset, the checkout page and the control API, on paths
 * relative to the base path. Framework-neutral: a {@link SimulatorRequest} in, a {@link
 * SimulatorResponse} out. State changes and the JSON rendered from them happen under the store's
 * monitor; webhooks are published after it is released.
 */
public final class Api implements AutoCloseable {
  private static final Set<String> CURRENCIES = Set.of("NGN", "GHS", "ZAR", "USD", "KES");
  private static final Set<String> RECIPIENT_TYPES =
      Set.of("nuban", "mobile_money", "basa", "authorization", "ghipss");
  private static final Pattern TRANSACTION_REFERENCE = Pattern.compile("[A-Za-z0-9.=-]{1,100}");
  private static final Pattern TRANSFER_REFERENCE = Pattern.compile("[a-z0-9_-]{1,100}");
  private static final int MAX_PER_PAGE = 1000;
  private static final int STATE_LIMIT = 500;

  private final byte[] secretKey;
  private final String basePath;
  private final @Nullable URI publicUri;
  private final Clock clock;
  private final Random random;
  private final long seed;
  private final boolean settlePayoutsManually;
  private final Store store;
  private final AtomicReference<Faults> faults = new AtomicReference<>(Faults.NONE);
  private final WebhookSender webhooks;

  /**
   * @param basePath where the simulator is mounted, e.g. {@code /sim/paystack}, or empty
   * @param publicUri the address clients reach the base path at, for {@code authorization_url};
   *     null to take it from each request's {@code Host}
   * @param webhookUrl where webhooks go; null to send none (they are recorded as {@code no_target})
   * @param minute how long one Paystack minute of the retry schedule lasts here
   */
  public Api(
      String secretKey,
      String basePath,
      @Nullable URI publicUri,
      @Nullable URI webhookUrl,
      Clock clock,
      Duration minute,
      Duration reorderWindow,
      Duration webhookTimeout,
      long seed,
      boolean settlePayoutsManually) {
    this.secretKey = secretKey.getBytes(StandardCharsets.UTF_8);
    this.basePath = basePath;
    this.publicUri = publicUri;
    this.clock = clock;
    this.random = new Random(seed);
    this.seed = seed;
    this.settlePayoutsManually = settlePayoutsManually;
    this.store = new Store(random);
    this.webhooks =
        new WebhookSender(
            webhookUrl,
            secretKey,
            clock,
            minute,
            reorderWindow,
            webhookTimeout,
            random,
            faults::get);
  }

  public Faults faults() {
    return faults.get();
  }

  public void faults(Faults newFaults) {
    faults.set(newFaults);
  }

  /** Answers one request whose path starts with the base path (anything else is a 404). */
  public SimulatorResponse handle(SimulatorRequest request) {
    String path = relative(request.path());
    if (path == null) {
      return Json.error(404, "Not found");
    }
    try {
      if (path.equals("/_control") || path.startsWith("/_control/")) {
        return control(request, path);
      }
      Faults f = faults.get();
      boolean checkout = path.startsWith("/checkout/");
      if (f.outage()) {
        return checkout ? CheckoutPage.unavailable() : Json.error(503, "Service unavailable");
      }
      if (checkout) {
        return checkout(request, path.substring("/checkout/".length()));
      }
      if (f.apiLatencyMs() > 0) {
        Thread.sleep(f.apiLatencyMs());
      }
      SimulatorResponse refused = authenticate(request);
      if (refused != null) {
        return refused;
      }
      if (f.apiErrorRate() > 0 && random.nextDouble() < f.apiErrorRate()) {
        // Decided before the route runs, so nothing was done and a retry is safe.
        return Json.error(500, "An error occurred, please try again (simulated)");
      }
      return route(request, path);
    } catch (BadRequest e) {
      return Json.error(e.status, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Json.error(503, "Service unavailable");
    } catch (RuntimeException e) {
      // A bug in the simulator: still an answer in Paystack's shape, not a dropped connection.
      return Json.error(500, "Simulator error: " + e);
    }
  }

  private @Nullable String relative(String path) {
    if (basePath.isEmpty()) {
      return path.isEmpty() ? "/" : path;
    }
    if (path.equals(basePath)) {
      return "/";
    }
    return path.startsWith(basePath + "/") ? path.substring(basePath.length()) : null;
  }

  private @Nullable SimulatorResponse authenticate(SimulatorRequest request) {
    String header = request.header("Authorization");
    if (header == null) {
      return Json.error(401, "No Authorization Header was found");
    }
    if (!header.startsWith("Bearer ")) {
      return Json.error(401, "Format is Authorization Bearer [secret key]");
    }
    byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, secretKey) ? null : Json.error(401, "Invalid key");
  }

  private SimulatorResponse route(SimulatorRequest request, String path) {
    String[] s = path.substring(1).split("/", -1);
    String method = request.method();
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    switch (s[0]) {
      case "transaction" -> {
        if (s.length == 2 && post && s[1].equals("initialize")) {
          return initialize(request, fields(request));
        }
        if (s.length == 2 && post && s[1].equals("charge_authorization")) {
          return chargeAuthorization(fields(request));
        }
        if (s.length == 3 && get && s[1].equals("verify")) {
          return verify(decode(s[2]));
        }
        if (s.length == 1 && get) {
          return listTransactions(query(request));
        }
        if (s.length == 2 && get) {
          return fetchTransaction(s[1]);
        }
      }
      case "transferrecipient" -> {
        if (s.length == 1 && post) {
          return createRecipient(fields(request));
        }
        if (s.length == 1 && get) {
          return listRecipients(query(request));
        }
        if (s.length == 2 && get) {
          return fetchRecipient(decode(s[1]));
        }
      }
      case "transfer" -> {
        if (s.length == 1 && post) {
          return initiateTransfer(fields(request));
        }
        if (s.length == 1 && get) {
          return listTransfers(query(request));
        }
        if (s.length == 3 && get && s[1].equals("verify")) {
          return verifyTransfer(decode(s[2]));
        }
        if (s.length == 2 && get) {
          return fetchTransfer(decode(s[1]));
        }
      }
      case "refund" -> {
        if (s.length == 1 && post) {
          return createRefund(fields(request));
        }
        if (s.length == 1 && get) {
          return listRefunds(query(request));
        }
        if (s.length == 2 && get) {
          return fetchRefund(s[1]);
        }
      }
      default -> {}
    }
    return Json.error(404, "The simulator does not serve " + method + " " + path);
  }

  // ---- transactions ----

  private SimulatorResponse initialize(SimulatorRequest request, ObjectNode body) {
    String email = email(body);
    long amount = amount(body, "amount");
    String currency = currency(body);
    String reference = text(body, "reference");
    if (reference == null) {
      reference = generatedReference();
    } else if (!TRANSACTION_REFERENCE.matcher(reference).matches()) {
      throw new BadRequest("Invalid reference: only -, ., = and alphanumeric characters allowed");
    }
    String callbackUrl = text(body, "callback_url");
    if (callbackUrl != null && !isHttpUrl(callbackUrl)) {
      throw new BadRequest("Invalid callback_url: it must be a full http or https URL");
    }
    JsonNode metadata = metadata(body);
    String accessCode;
    synchronized (store) {
      if (store.transactionsByReference.containsKey(reference)) {
        throw new BadRequest("Duplicate Transaction Reference");
      }
      Instant now = clock.instant();
      accessCode = store.code("", 15);
      store.add(
          new Transaction(
              store.transactionId(),
              reference,
              accessCode,
              amount,
              currency,
              store.customer(email, now),
              callbackUrl,
              metadata,
              now));
    }
    ObjectNode data = Json.object();
    data.put("authorization_url", publicBase(request) + "/checkout/" + accessCode);
    data.put("access_code", accessCode);
    data.put("reference", reference);
    return Json.ok(200, "Authorization URL created", data);
  }

  private SimulatorResponse verify(String reference) {
    synchronized (store) {
      Transaction t = store.transactionsByReference.get(reference);
      if (t == null) {
        return Json.error(404, "Transaction reference not found");
      }
      return Json.ok(200, "Verification successful", Views.transaction(t));
    }
  }

  private SimulatorResponse fetchTransaction(String id) {
    synchronized (store) {
      Transaction t = store.transactionsById.get(parseId(id));
      if (t == null) {
        return Json.error(404, "Transaction not found");
      }
      return Json.ok(200, "Transaction retrieved", Views.transaction(t));
    }
  }

  private SimulatorResponse listTransactions(Map<String, String> query) {
    Predicate<Transaction> filter = timeFilter(query, t -> t.createdAt);
    String status = query.get("status");
    if (status != null) {
      filter = filter.and(t -> t.status.equals(status));
    }
    String customer = query.get("customer");
    if (customer != null) {
      filter = filter.and(t -> String.valueOf(t.customer.id).equals(customer));
    }
    synchronized (store) {
      return page(
          "Transactions retrieved",
          store.transactionsNewestFirst(),
          filter,
          query,
          Views::transaction);
    }
  }

  private SimulatorResponse chargeAuthorization(ObjectNode body) {
    String email = email(body);
    long amount = amount(body, "amount");
    String currency = currency(body);
    String code = required(body, "authorization_code", "Authorization code is required");
    String reference = text(body, "reference");
    if (reference == null) {
      reference = generatedReference();
    } else if (!TRANSACTION_REFERENCE.matcher(reference).matches()) {
      throw new BadRequest("Invalid reference: only -, ., = and alphanumeric characters allowed");
    }
    JsonNode metadata = metadata(body);
    ObjectNode data;
    synchronized (store) {
      Authorization authorization = store.authorizations.get(code);
      if (authorization == null) {
        throw new BadRequest("Invalid authorization code");
      }
      if (!authorization.reusable) {
        throw new BadRequest("Authorization code is not reusable");
      }
      if (!authorization.customer.email.equalsIgnoreCase(email)) {
        throw new BadRequest("Email does not match Authorization code");
      }
      if (store.transactionsByReference.containsKey(reference)) {
        throw new BadRequest("Duplicate Transaction Reference");
      }
      Instant now = clock.instant();
      Transaction t =
          new Transaction(
              store.transactionId(),
              reference,
              store.code("", 15),
              amount,
              currency,
              authorization.customer,
              null,
              metadata,
              now);
      store.add(t);
      t.authorization = authorization;
      if (authorization.declines) {
        // Paystack answers a declined charge as attempted, with the transaction failed, and sends
        // no event for it.
        t.status = "failed";
        t.gatewayResponse = "Insufficient Funds";
        return Json.ok(200, "Charge attempted", Views.transaction(t));
      }
      t.status = "success";
      t.gatewayResponse = "Approved";
      t.paidAt = now;
      t.fees = fee(amount);
      data = Views.transaction(t);
    }
    webhooks.publish("charge.success", data.deepCopy(), reference);
    return Json.ok(200, "Charge attempted", data);
  }

  /**
   * Ends a transaction still in progress with {@code outcome}; a success makes a reusable
   * authorization and sends {@code charge.success} (Paystack sends no event for a decline).
   */
  private SimulatorResponse settleCharge(Transaction t, Outcome outcome) {
    ObjectNode data;
    synchronized (store) {
      if (!t.status.equals("ongoing")) {
        throw new BadRequest("Transaction is already " + t.status);
      }
      Instant now = clock.instant();
      switch (outcome) {
        case SUCCESS -> {
          t.status = "success";
          t.gatewayResponse = "Successful";
          t.paidAt = now;
          t.fees = fee(t.amount);
          Authorization a =
              new Authorization(store.code("AUTH_", 10), store.code("SIG_", 20), t.customer, true);
          store.authorizations.put(a.code, a);
          t.authorization = a;
        }
        case FAILED -> {
          t.status = "failed";
          t.gatewayResponse = "Declined";
        }
        case ABANDONED -> {
          t.status = "abandoned";
          t.gatewayResponse = "The transaction was not completed";
        }
        case REVERSED -> throw new BadRequest("A transaction is paid, failed or abandoned");
      }
      data = Views.transaction(t);
    }
    if (outcome == Outcome.SUCCESS) {
      webhooks.publish("charge.success", data.deepCopy(), t.reference);
    }
    return Json.ok(200, "Transaction " + t.status, data);
  }

  /**
   * Paystack's local card fee as the simulator charges it: 1.5% plus NGN 100 from NGN 2,500 up,
   * capped at NGN 2,000, in minor units (applied to every currency alike).
   */
  static long fee(long amount) {
    long fee = amount * 15 / 1000 + (amount >= 250_000 ? 10_000 : 0);
    return Math.min(fee, 200_000);
  }

  // ---- checkout page ----

  private SimulatorResponse checkout(SimulatorRequest request, String accessCode) {
    Transaction t;
    synchronized (store) {
      t = store.transactionsByAccessCode.get(decode(accessCode));
    }
    if (t == null) {
      return CheckoutPage.notFound();
    }
    if (request.method().equals("GET")) {
      synchronized (store) {
        return CheckoutPage.form(t.reference, t.customer.email, t.amount, t.currency, t.status);
      }
    }
    if (!request.method().equals("POST")) {
      return Json.error(405, "Method not allowed");
    }
    Map<String, String> form = form(Json.utf8(request.body()));
    Outcome outcome = Outcome.parse(form.getOrDefault("outcome", "")).orElse(null);
    if (outcome == null || outcome == Outcome.REVERSED) {
      return Json.error(400, "outcome must be success, failed or abandoned");
    }
    String status;
    synchronized (store) {
      status = t.status;
    }
    if (status.equals("ongoing")) {
      try {
        settleCharge(t, outcome);
      } catch (BadRequest e) {
        // settled by someone else in between: show what it became
      }
    }
    synchronized (store) {
      status = t.status;
    }
    if (t.callbackUrl == null) {
      return CheckoutPage.result(t.reference, status);
    }
    String ref = URLEncoder.encode(t.reference, StandardCharsets.UTF_8);
    String separator = t.callbackUrl.contains("?") ? "&" : "?";
    return CheckoutPage.redirect(t.callbackUrl + separator + "trxref=" + ref + "&reference=" + ref);
  }

  // ---- transfer recipients and transfers ----

  private SimulatorResponse createRecipient(ObjectNode body) {
    String type = required(body, "type", "Recipient type is required");
    if (!RECIPIENT_TYPES.contains(type)) {
      throw new BadRequest("Invalid recipient type: " + type);
    }
    String name = required(body, "name", "Name is required");
    String accountNumber = text(body, "account_number");
    String bankCode = text(body, "bank_code");
    String authorizationCode = text(body, "authorization_code");
    if (type.equals("authorization")) {
      if (authorizationCode == null) {
        throw new BadRequest("Authorization code is required");
      }
    } else {
      if (accountNumber == null) {
        throw new BadRequest("Account number is required");
      }
      if (bankCode == null) {
        throw new BadRequest("Bank code is required");
      }
    }
    String currency = currency(body);
    String description = text(body, "description");
    JsonNode metadata = metadata(body);
    synchronized (store) {
      if (authorizationCode != null && !store.authorizations.containsKey(authorizationCode)) {
        throw new BadRequest("Invalid authorization code");
      }
      Recipient r =
          new Recipient(
              store.recipientId(),
              store.code("RCP_", 15),
              type,
              name,
              accountNumber,
              bankCode,
              authorizationCode,
              currency,
              description,
              metadata,
              clock.instant());
      store.recipients.put(r.code, r);
      return Json.ok(201, "Transfer recipient created successfully", Views.recipient(r));
    }
  }

  private SimulatorResponse listRecipients(Map<String, String> query) {
    synchronized (store) {
      List<Recipient> all = new ArrayList<>(store.recipients.values());
      java.util.Collections.reverse(all);
      return page(
          "Recipients retrieved",
          all,
          timeFilter(query, r -> r.createdAt),
          query,
          Views::recipient);
    }
  }

  private SimulatorResponse fetchRecipient(String codeOrId) {
    synchronized (store) {
      Recipient r = recipient(codeOrId);
      return r == null
          ? Json.error(404, "Recipient not found")
          : Json.ok(200, "Recipient retrieved", Views.recipient(r));
    }
  }

  private @Nullable Recipient recipient(String codeOrId) {
    Recipient r = store.recipients.get(codeOrId);
    if (r != null) {
      return r;
    }
    for (Recipient candidate : store.recipients.values()) {
      if (String.valueOf(candidate.id).equals(codeOrId)) {
        return candidate;
      }
    }
    return null;
  }

  private SimulatorResponse initiateTransfer(ObjectNode body) {
    String source = text(body, "source");
    if (source != null && !source.equals("balance")) {
      throw new BadRequest("Invalid transfer source: only balance is allowed");
    }
    long amount = amount(body, "amount");
    String recipientCode = required(body, "recipient", "Recipient is required");
    String reason = text(body, "reason");
    String reference = text(body, "reference");
    if (reference == null) {
      reference = store.code("trf_", 20);
    } else if (!TRANSFER_REFERENCE.matcher(reference).matches()) {
      throw new BadRequest("Invalid transfer reference: only lowercase letters, digits, - and _");
    }
    String currencyGiven = text(body, "currency");
    Transfer t;
    ObjectNode data;
    synchronized (store) {
      Recipient recipient = recipient(recipientCode);
      if (recipient == null) {
        throw new BadRequest("Recipient specified is invalid");
      }
      String currency = currencyGiven == null ? recipient.currency : currencyGiven;
      if (!currency.equals(recipient.currency)) {
        throw new BadRequest("Currency does not match the recipient's currency");
      }
      if (store.transfersByReference.containsKey(reference)) {
        throw new BadRequest("Duplicate Transfer Reference");
      }
      t =
          new Transfer(
              store.transferId(),
              store.code("TRF_", 15),
              reference,
              amount,
              currency,
              recipient,
              reason,
              clock.instant());
      store.transfersByCode.put(t.code, t);
      store.transfersByReference.put(t.reference, t);
      data = Views.transfer(t, false);
    }
    if (!settlePayoutsManually) {
      Transfer settled = t;
      Thread.ofVirtual().start(() -> quietly(() -> settleTransfer(settled, Outcome.SUCCESS)));
    }
    return Json.ok(200, "Transfer has been queued", data);
  }

  private SimulatorResponse settleTransfer(Transfer t, Outcome outcome) {
    ObjectNode data;
    String event;
    synchronized (store) {
      Instant now = clock.instant();
      switch (outcome) {
        case SUCCESS, FAILED -> {
          if (!t.status.equals("pending")) {
            throw new BadRequest("Transfer is already " + t.status);
          }
          t.status = outcome == Outcome.SUCCESS ? "success" : "failed";
          t.transferredAt = outcome == Outcome.SUCCESS ? now : null;
        }
        case REVERSED -> {
          if (!t.status.equals("pending") && !t.status.equals("success")) {
            throw new BadRequest("Transfer is already " + t.status);
          }
          t.status = "reversed";
        }
        case ABANDONED -> throw new BadRequest("A transfer succeeds, fails or is reversed");
      }
      t.updatedAt = now;
      event = "transfer." + t.status;
      data = Views.transfer(t, true);
    }
    webhooks.publish(event, data.deepCopy(), t.reference);
    return Json.ok(200, "Transfer " + t.status, data);
  }

  private SimulatorResponse listTransfers(Map<String, String> query) {
    Predicate<Transfer> filter = timeFilter(query, t -> t.createdAt);
    String status = query.get("status");
    if (status != null) {
      filter = filter.and(t -> t.status.equals(status));
    }
    synchronized (store) {
      List<Transfer> all = new ArrayList<>(store.transfersByCode.values());
      java.util.Collections.reverse(all);
      return page("Transfers retrieved", all, filter, query, t -> Views.transfer(t, true));
    }
  }

  private SimulatorResponse fetchTransfer(String codeOrId) {
    synchronized (store) {
      Transfer t = store.transfersByCode.get(codeOrId);
      if (t == null) {
        t =
            store.transfersByCode.values().stream()
                .filter(candidate -> String.valueOf(candidate.id).equals(codeOrId))
                .findFirst()
                .orElse(null);
      }
      return t == null
          ? Json.error(404, "Transfer not found")
          : Json.ok(200, "Transfer retrieved", Views.transfer(t, true));
    }
  }

  private SimulatorResponse verifyTransfer(String reference) {
    synchronized (store) {
      Transfer t = store.transfersByReference.get(reference);
      return t == null
          ? Json.error(404, "Transfer not found")
          : Json.ok(200, "Transfer retrieved", Views.transfer(t, true));
    }
  }

  // ---- refunds ----

  private SimulatorResponse createRefund(ObjectNode body) {
    String transaction = required(body, "transaction", "Transaction reference or id is required");
    Long amountGiven = body.hasNonNull("amount") ? amount(body, "amount") : null;
    String currency = text(body, "currency");
    String customerNote = text(body, "customer_note");
    String merchantNote = text(body, "merchant_note");
    Refund r;
    ObjectNode data;
    synchronized (store) {
      Transaction t = store.transactionsByReference.get(transaction);
      if (t == null && transaction.matches("[0-9]{1,18}")) {
        t = store.transactionsById.get(Long.parseLong(transaction));
      }
      if (t == null) {
        throw new BadRequest(404, "Transaction not found");
      }
      if (t.status.equals("reversed")) {
        throw new BadRequest("Transaction has been fully reversed");
      }
      if (!t.status.equals("success")) {
        throw new BadRequest("Cannot refund a transaction that is " + t.status);
      }
      if (currency != null && !currency.equals(t.currency)) {
        throw new BadRequest("Currency does not match the transaction's currency");
      }
      long remaining = t.amount - t.refunded;
      long amount = amountGiven == null ? remaining : amountGiven;
      if (remaining <= 0) {
        throw new BadRequest("Transaction has been fully reversed");
      }
      if (amount > remaining) {
        throw new BadRequest("Refund amount cannot be greater than the unrefunded amount");
      }
      t.refunded += amount;
      r =
          new Refund(
              store.refundId(), t, amount, t.currency, customerNote, merchantNote, clock.instant());
      store.refunds.put(r.id, r);
      data = Views.refund(r, true);
    }
    if (!settlePayoutsManually) {
      Refund settled = r;
      Thread.ofVirtual().start(() -> quietly(() -> settleRefund(settled, Outcome.SUCCESS)));
    }
    return Json.ok(200, "Refund has been queued for processing", data);
  }

  private SimulatorResponse settleRefund(Refund r, Outcome outcome) {
    ObjectNode data;
    ObjectNode response;
    synchronized (store) {
      if (!r.status.equals("pending")) {
        throw new BadRequest("Refund is already " + r.status);
      }
      switch (outcome) {
        case SUCCESS -> {
          r.status = "processed";
          if (r.transaction.refunded >= r.transaction.amount) {
            r.transaction.status = "reversed";
          }
        }
        case FAILED -> {
          r.status = "failed";
          r.transaction.refunded -= r.amount;
        }
        case ABANDONED, REVERSED -> throw new BadRequest("A refund is processed or fails");
      }
      r.updatedAt = clock.instant();
      data = Views.refundEvent(r);
      response = Views.refund(r, false);
    }
    webhooks.publish("refund." + r.status, data, String.valueOf(r.id));
    return Json.ok(200, "Refund " + r.status, response);
  }

  private SimulatorResponse listRefunds(Map<String, String> query) {
    synchronized (store) {
      List<Refund> all = new ArrayList<>(store.refunds.values());
      java.util.Collections.reverse(all);
      return page(
          "Refunds retrieved",
          all,
          timeFilter(query, r -> r.createdAt),
          query,
          r -> Views.refund(r, false));
    }
  }

  private SimulatorResponse fetchRefund(String id) {
    synchronized (store) {
      Refund r = store.refunds.get(parseId(id));
      return r == null
          ? Json.error(404, "Refund not found")
          : Json.ok(200, "Refund retrieved", Views.refund(r, false));
    }
  }

  // ---- control ----

  private SimulatorResponse control(SimulatorRequest request, String path) {
    String method = request.method();
    switch (path) {
      case "/_control/pay" -> {
        if (method.equals("POST")) {
          return controlPay(json(request));
        }
      }
      case "/_control/faults" -> {
        if (method.equals("POST")) {
          faults.set(mergeFaults(faults.get(), json(request)));
          return Json.ok(200, "Faults updated", faultsView(faults.get()));
        }
        if (method.equals("GET")) {
          return Json.ok(200, "Faults", faultsView(faults.get()));
        }
      }
      case "/_control/state" -> {
        if (method.equals("GET")) {
          return Json.ok(200, "Simulator state", state());
        }
      }
      case "/_control/dispute" -> {
        if (method.equals("POST")) {
          return controlDispute(json(request));
        }
      }
      case "/_control/authorization" -> {
        if (method.equals("POST")) {
          return controlAuthorization(json(request));
        }
      }
      case "/_control/transactions" -> {
        if (method.equals("POST")) {
          return controlTransactions(json(request));
        }
      }
      default -> {
        return Json.error(404, "No such control route: " + path);
      }
    }
    return Json.error(405, "Method not allowed");
  }

  private SimulatorResponse controlPay(ObjectNode body) {
    String reference = required(body, "reference", "reference is required");
    String name = required(body, "outcome", "outcome is required");
    Outcome outcome =
        Outcome.parse(name)
            .orElseThrow(
                () -> new BadRequest("outcome must be success, failed, abandoned or reversed"));
    Transaction t;
    Transfer transfer;
    Refund refund = null;
    synchronized (store) {
      t = store.transactionsByReference.get(reference);
      transfer = store.transfersByReference.get(reference);
      if (transfer == null) {
        transfer = store.transfersByCode.get(reference);
      }
      if (reference.matches("[0-9]{1,18}")) {
        refund = store.refunds.get(Long.parseLong(reference));
      }
    }
    if (t != null) {
      return settleCharge(t, outcome);
    }
    if (transfer != null) {
      return settleTransfer(transfer, outcome);
    }
    if (refund != null) {
      return settleRefund(refund, outcome);
    }
    return Json.error(404, "No transaction, transfer or refund with reference " + reference);
  }

  private SimulatorResponse controlAuthorization(ObjectNode body) {
    String code = required(body, "authorizationCode", "authorizationCode is required");
    JsonNode declines = body.get("declines");
    if (declines == null || !declines.isBoolean()) {
      throw new BadRequest("declines must be true or false");
    }
    synchronized (store) {
      Authorization authorization = store.authorizations.get(code);
      if (authorization == null) {
        return Json.error(404, "Authorization code not found");
      }
      authorization.declines = declines.booleanValue();
      return Json.ok(200, "Authorization updated", Views.authorization(authorization));
    }
  }

  private SimulatorResponse controlDispute(ObjectNode body) {
    String reference = required(body, "reference", "reference is required");
    ObjectNode data;
    synchronized (store) {
      Transaction t = store.transactionsByReference.get(reference);
      if (t == null) {
        return Json.error(404, "Transaction reference not found");
      }
      if (!t.status.equals("success")) {
        throw new BadRequest("Only a successful transaction can be disputed");
      }
      data = Views.dispute(store.disputeId(), t, clock.instant());
    }
    webhooks.publish("charge.dispute.create", data.deepCopy(), reference);
    return Json.ok(200, "Dispute opened", data);
  }

  /**
   * Records transactions as if they had been initialized and, unless {@code ongoing}, settled
   * (created now, by the simulator's clock), sending no webhook: how a load test gives a
   * reconciliation window 100,000 transactions in seconds rather than 200,000 API calls.
   */
  private SimulatorResponse controlTransactions(ObjectNode body) {
    JsonNode items = body.path("transactions");
    if (!items.isArray()) {
      throw new BadRequest("transactions must be an array");
    }
    List<ObjectNode> checked = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      if (!(item instanceof ObjectNode o)) {
        throw new BadRequest("each transaction must be an object");
      }
      String reference = required(o, "reference", "reference is required");
      if (!TRANSACTION_REFERENCE.matcher(reference).matches()) {
        throw new BadRequest("Invalid reference: " + reference);
      }
      email(o);
      amount(o, "amount");
      currency(o);
      String status = o.path("status").asText("success");
      if (!Set.of("success", "failed", "abandoned", "ongoing").contains(status)) {
        throw new BadRequest("status must be success, failed, abandoned or ongoing");
      }
      checked.add(o);
    }
    synchronized (store) {
      for (ObjectNode o : checked) {
        if (store.transactionsByReference.containsKey(o.path("reference").asText())) {
          throw new BadRequest("Duplicate Transaction Reference: " + o.path("reference").asText());
        }
      }
      Instant now = clock.instant();
      for (ObjectNode o : checked) {
        long amount = amount(o, "amount");
        Transaction t =
            new Transaction(
                store.transactionId(),
                o.path("reference").asText(),
                store.code("", 15),
                amount,
                currency(o),
                store.customer(email(o), now),
                null,
                null,
                now);
        t.status = o.path("status").asText("success");
        if (t.status.equals("success")) {
          t.gatewayResponse = "Successful";
          t.paidAt = now;
          t.fees = fee(amount);
        } else if (!t.status.equals("ongoing")) {
          t.gatewayResponse = t.status.equals("failed") ? "Declined" : "Abandoned";
        }
        store.add(t);
      }
    }
    ObjectNode data = Json.object();
    data.put("recorded", checked.size());
    return Json.ok(200, "Transactions recorded", data);
  }

  private static Faults mergeFaults(Faults f, ObjectNode body) {
    try {
      if (body.has("webhookDropRate")) {
        f = f.withWebhookDropRate(number(body, "webhookDropRate"));
      }
      if (body.has("webhookDuplicateRate")) {
        f = f.withWebhookDuplicateRate(number(body, "webhookDuplicateRate"));
      }
      if (body.has("webhookDelayMs")) {
        f = f.withWebhookDelayMs((long) number(body, "webhookDelayMs"));
      }
      if (body.has("webhookReorder")) {
        f = f.withWebhookReorder(bool(body, "webhookReorder"));
      }
      if (body.has("apiErrorRate")) {
        f = f.withApiErrorRate(number(body, "apiErrorRate"));
      }
      if (body.has("apiLatencyMs")) {
        f = f.withApiLatencyMs((long) number(body, "apiLatencyMs"));
      }
      if (body.has("outage")) {
        f = f.withOutage(bool(body, "outage"));
      }
      return f;
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static double number(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || !node.isNumber()) {
      throw new BadRequest(field + " must be a number");
    }
    return node.asDouble();
  }

  private static boolean bool(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || !node.isBoolean()) {
      throw new BadRequest(field + " must be true or false");
    }
    return node.asBoolean();
  }

  private static ObjectNode faultsView(Faults f) {
    ObjectNode n = Json.object();
    n.put("webhookDropRate", f.webhookDropRate());
    n.put("webhookDuplicateRate", f.webhookDuplicateRate());
    n.put("webhookDelayMs", f.webhookDelayMs());
    n.put("webhookReorder", f.webhookReorder());
    n.put("apiErrorRate", f.apiErrorRate());
    n.put("apiLatencyMs", f.apiLatencyMs());
    n.put("outage", f.outage());
    return n;
  }

  /** What the simulator has charged, paid out, refunded and sent. */
  public ObjectNode state() {
    ObjectNode n = Json.object();
    n.put("seed", seed);
    n.set("faults", faultsView(faults.get()));
    synchronized (store) {
      ObjectNode transactions = n.putObject("transactions");
      Map<String, Integer> byStatus = new TreeMap<>();
      long charged = 0;
      long chargedCount = 0;
      ArrayNode charges = Json.MAPPER.createArrayNode();
      for (Transaction t : store.transactionsByReference.values()) {
        byStatus.merge(t.status, 1, Integer::sum);
        if (t.paidAt != null) {
          chargedCount++;
          charged += t.amount;
          if (charges.size() < STATE_LIMIT) {
            ObjectNode c = charges.addObject();
            c.put("reference", t.reference);
            c.put("amount", t.amount);
            c.put("currency", t.currency);
            c.put("status", t.status);
            Json.putTime(c, "paid_at", t.paidAt);
            c.put("authorization_code", t.authorization == null ? null : t.authorization.code);
          }
        }
      }
      transactions.put("total", store.transactionsByReference.size());
      ObjectNode statuses = transactions.putObject("byStatus");
      byStatus.forEach(statuses::put);
      transactions.put("chargedCount", chargedCount);
      transactions.put("chargedAmount", charged);
      n.set("charges", charges);
      ArrayNode transfers = n.putArray("transfers");
      for (Transfer t : store.transfersByCode.values()) {
        if (transfers.size() < STATE_LIMIT) {
          ObjectNode o = transfers.addObject();
          o.put("reference", t.reference);
          o.put("transfer_code", t.code);
          o.put("amount", t.amount);
          o.put("currency", t.currency);
          o.put("status", t.status);
        }
      }
      ArrayNode refunds = n.putArray("refunds");
      for (Refund r : store.refunds.values()) {
        if (refunds.size() < STATE_LIMIT) {
          ObjectNode o = refunds.addObject();
          o.put("id", r.id);
          o.put("transaction_reference", r.transaction.reference);
          o.put("amount", r.amount);
          o.put("status", r.status);
        }
      }
    }
    n.set("webhooks", webhooks.state());
    return n;
  }

  @Override
  public void close() {
    webhooks.close();
  }

  /** Settles in the background; settled already by the control API meanwhile is fine. */
  private static void quietly(Runnable settle) {
    try {
      settle.run();
    } catch (BadRequest e) {
      // already settled
    }
  }

  // ---- parsing helpers ----

  private String publicBase(SimulatorRequest request) {
    if (publicUri != null) {
      String uri = publicUri.toString();
      return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
    String host = request.header("Host");
    String proto = request.header("X-Forwarded-Proto");
    String scheme = "https".equalsIgnoreCase(proto) ? "https" : "http";
    return scheme + "://" + (host == null ? "localhost" : host) + basePath;
  }

  private String generatedReference() {
    synchronized (store) {
      return store.code("", 10);
    }
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      return scheme != null
          && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** The request's fields: a JSON object or a form, as Paystack accepts both. */
  private static ObjectNode fields(SimulatorRequest request) {
    String type = request.header("Content-Type");
    if (type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      ObjectNode node = Json.object();
      form(Json.utf8(request.body())).forEach(node::put);
      return node;
    }
    return json(request);
  }

  private static ObjectNode json(SimulatorRequest request) {
    byte[] body = request.body();
    if (body.length == 0) {
      return Json.object();
    }
    ObjectNode node = Json.parseObject(body);
    if (node == null) {
      throw new BadRequest("The body must be a JSON object");
    }
    return node;
  }

  private static @Nullable String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      throw new BadRequest(field + " must be a string");
    }
    String text = node.asText().trim();
    return text.isEmpty() ? null : text;
  }

  private static String required(ObjectNode body, String field, String message) {
    String text = text(body, field);
    if (text == null) {
      throw new BadRequest(message);
    }
    return text;
  }

  private static String email(ObjectNode body) {
    String email = text(body, "email");
    if (email == null || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") || email.length() > 254) {
      throw new BadRequest("Invalid Email Address Passed");
    }
    return email.toLowerCase(Locale.ROOT);
  }

  /** A positive whole amount in minor units, given as a JSON integer or a string of digits. */
  private static long amount(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    long amount;
    if (node != null && node.isIntegralNumber() && node.canConvertToLong()) {
      amount = node.asLong();
    } else if (node != null && node.isTextual() && node.asText().trim().matches("[0-9]{1,15}")) {
      amount = Long.parseLong(node.asText().trim());
    } else {
      throw new BadRequest("Invalid Amount Sent");
    }
    if (amount <= 0) {
      throw new BadRequest("Invalid Amount Sent");
    }
    return amount;
  }

  private static String currency(ObjectNode body) {
    String currency = text(body, "currency");
    if (currency == null) {
      return "NGN";
    }
    if (!CURRENCIES.contains(currency)) {
      throw new BadRequest("Currency not supported by merchant");
    }
    return currency;
  }

  /** Metadata as given; a string holding JSON (Paystack's "stringified JSON") is parsed. */
  private static @Nullable JsonNode metadata(ObjectNode body) {
    JsonNode node = body.get("metadata");
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      ObjectNode parsed = Json.parseObject(node.asText().getBytes(StandardCharsets.UTF_8));
      return parsed == null ? node : parsed;
    }
    return node;
  }

  private static long parseId(String id) {
    return id.matches("[0-9]{1,18}") ? Long.parseLong(id) : -1;
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(SimulatorRequest request) {
    return form(request.query());
  }

  private static Map<String, String> form(String encoded) {
    Map<String, String> values = new HashMap<>();
    if (encoded.isEmpty()) {
      return values;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      values.putIfAbsent(name, value);
    }
    return values;
  }

  private static <T> Predicate<T> timeFilter(Map<String, String> query, Function<T, Instant> time) {
    Instant from = instant(query.get("from"), false);
    Instant to = instant(query.get("to"), true);
    return item -> {
      Instant at = time.apply(item);
      return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
    };
  }

  /**
   * A {@code from}/{@code to} bound: an ISO instant ({@code 2026-01-01T10:00:00Z}) or a date; a
   * {@code to} date includes that whole day. {@code to} is exclusive.
   */
  private static @Nullable Instant instant(@Nullable String value, boolean end) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        LocalDate date = LocalDate.parse(value);
        return (end ? date.plusDays(1) : date).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new BadRequest("Invalid date: " + value);
      }
    }
  }

  private static <T> SimulatorResponse page(
      String message,
      List<T> newestFirst,
      Predicate<T> filter,
      Map<String, String> query,
      Function<T, ObjectNode> view) {
    int perPage = positive(query, "perPage", 50);
    if (perPage > MAX_PER_PAGE) {
      perPage = MAX_PER_PAGE;
    }
    int page = positive(query, "page", 1);
    List<T> matching = newestFirst.stream().filter(filter).toList();
    long skipped = (long) (page - 1) * perPage;
    ArrayNode data = Json.MAPPER.createArrayNode();
    matching.stream().skip(skipped).limit(perPage).forEach(item -> data.add(view.apply(item)));
    ObjectNode body = Json.object();
    body.put("status", true);
    body.put("message", message);
    body.set("data", data);
    ObjectNode meta = body.putObject("meta");
    meta.put("total", matching.size());
    meta.put("skipped", skipped);
    meta.put("perPage", perPage);
    meta.put("page", page);
    meta.put("pageCount", (matching.size() + perPage - 1) / perPage);
    return Json.respond(200, body);
  }

  private static int positive(Map<String, String> query, String name, int fallback) {
    String value = query.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) < 1) {
      throw new BadRequest("Invalid " + name + ": " + value);
    }
    return Integer.parseInt(value);
  }

  /** A refused request: becomes Paystack's error shape. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    BadRequest(String message) {
      this(400, message);
    }

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}

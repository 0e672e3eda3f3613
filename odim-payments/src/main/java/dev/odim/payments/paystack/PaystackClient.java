package dev.odim.payments.paystack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.core.OdimConfigException;
import dev.odim.core.resilience.CircuitBreakerSettings;
import dev.odim.core.resilience.DependencyFailedException;
import dev.odim.core.resilience.DependencyTimeoutException;
import dev.odim.core.resilience.DependencyUnavailableException;
import dev.odim.core.resilience.Resilience;
import dev.odim.core.resilience.RetrySettings;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.paystack.PaystackResult.Reason;
import dev.odim.payments.paystack.internal.OutcomeUnknown;
import dev.odim.payments.paystack.internal.Reader;
import dev.odim.payments.paystack.internal.ServerFailure;
import dev.odim.payments.paystack.internal.Throttled;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Paystack's API, the parts Odim uses, over the JDK's {@link HttpClient} and Jackson. Build one per
 * secret key and share it: every call goes through its {@link Resilience}, whose circuit breaker
 * and bulkhead only protect the process if all calls to Paystack share them.
 *
 * <pre>{@code
 * PaystackClient paystack = PaystackClient.builder()
 *     .secretKey(System.getenv("PAYSTACK_SECRET_KEY"))
 *     .baseUri(URI.create(System.getenv().getOrDefault("PAYSTACK_BASE_URL",
 *         "https://api.paystack.co")))
 *     .build();
 * switch (paystack.initialize(InitializeRequest.of("ada@example.com",
 *     Money.of(500_000, "NGN"), "sub-42-2026-12"))) {
 *   case PaystackResult.Ok<Initialized>(var started) -> redirect(started.authorizationUrl());
 *   case PaystackResult.Unavailable<Initialized> u -> tryAgainIn(u.retryAfter());
 *   default -> fail();
 * }
 * }</pre>
 *
 * <h2>Repeating calls</h2>
 *
 * A 5xx, a 429, an I/O error or a timed-out attempt is retried as the {@link Resilience} says, for
 * every call that is safe to repeat: reads, and writes that carry our reference (initialize,
 * charge, transfer), which Paystack refuses to perform twice. When a retry of such a write is
 * refused as a duplicate, an earlier attempt did go through: the client looks the reference up and
 * answers {@link PaystackResult.Ok} with what it finds. A 4xx is never retried. A refund carries no
 * reference of ours, so it is sent at most once (a 429 excepted: nothing was done).
 *
 * <h2>Failures</h2>
 *
 * Outcomes a caller branches on are {@link PaystackResult} values; an open circuit or full bulkhead
 * answers {@link PaystackResult.Unavailable} at once, without a request. A wrong secret key throws
 * {@link PaystackAuthenticationException}, an unreadable answer {@link PaystackResponseException}.
 */
public final class PaystackClient {
  /** Paystack's production API. */
  public static final URI DEFAULT_BASE_URI = URI.create("https://api.paystack.co");

  private final String secretKey;
  private final URI baseUri;
  private final HttpClient http;
  private final Resilience resilience;
  private final ObjectMapper mapper;
  private final Duration requestTimeout;

  private PaystackClient(Builder b, String secretKey, URI baseUri) {
    this.secretKey = secretKey;
    this.baseUri = baseUri;
    this.http =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.resilience = b.resilience != null ? b.resilience : resilienceDefaults().build();
    this.mapper = b.objectMapper != null ? b.objectMapper : new ObjectMapper();
    this.requestTimeout = b.requestTimeout;
  }

  /** A builder; only the secret key is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The resilience the client uses unless given another: {@link
   * Resilience#forHttpDependency(String)} for {@code paystack}, with retries and the breaker
   * narrowed by {@link #retries(RetrySettings)} and {@link #breaker(CircuitBreakerSettings)}.
   * Adjust it (e.g. small delays in tests) and pass it to {@link Builder#resilience(Resilience)}.
   */
  public static Resilience.Builder resilienceDefaults() {
    return Resilience.forHttpDependency("paystack")
        .retry(retries(RetrySettings.of(3, Duration.ofMillis(200), Duration.ofSeconds(5))))
        .circuitBreaker(
            breaker(CircuitBreakerSettings.failures(10, 20).openFor(Duration.ofSeconds(30))));
  }

  /**
   * {@code settings}, retrying only what is worth another attempt: 5xx answers and I/O errors (and,
   * through {@code settings}' own rules, timeouts and {@code Retry-After} hints), never a 4xx, a
   * wrong key or an unreadable answer.
   */
  public static RetrySettings retries(RetrySettings settings) {
    return settings.retryOn(failure -> failure instanceof ServerFailure);
  }

  /**
   * {@code settings}, counting only Paystack's own failures (5xx, I/O errors; timeouts always
   * count): a refused request or a throttled one says nothing about Paystack's health.
   */
  public static CircuitBreakerSettings breaker(CircuitBreakerSettings settings) {
    return settings.failureOn(failure -> failure instanceof ServerFailure);
  }

  /** The resilience every call goes through, e.g. to read its circuit state. */
  public Resilience resilience() {
    return resilience;
  }

  // ---- transactions ----

  /**
   * Starts a checkout ({@code POST /transaction/initialize}). A reference Paystack already has
   * answers {@link PaystackResult.DuplicateReference}, unless it was created by an earlier attempt
   * of this call (see {@link Initialized}).
   */
  public PaystackResult<Initialized> initialize(InitializeRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("email", request.email());
    body.put("amount", request.amount().minor());
    body.put("currency", request.amount().currency().getCurrencyCode());
    body.put("reference", request.reference());
    if (request.callbackUrl() != null) {
      body.put("callback_url", request.callbackUrl().toString());
    }
    if (!request.metadata().isEmpty()) {
      // Paystack's OpenAPI has initialize's metadata as "stringified JSON object"
      body.put("metadata", json(request.metadata(), "metadata"));
    }
    if (!request.channels().isEmpty()) {
      body.put("channels", request.channels());
    }
    return write(
        "POST",
        "/transaction/initialize",
        body,
        request.reference(),
        this::initialized,
        () ->
            ours(
                    verify(request.reference()),
                    request.reference(),
                    tx ->
                        tx.amount().equals(request.amount())
                            && tx.customer().email().equalsIgnoreCase(request.email()))
                .map(tx -> new Initialized(tx.reference(), null, null)));
  }

  /**
   * The transaction under {@code reference} ({@code GET /transaction/verify/{reference}}); {@link
   * PaystackResult.NotFound} when Paystack has none.
   */
  public PaystackResult<Transaction> verify(String reference) {
    return read("/transaction/verify/" + segment(reference), this::transaction);
  }

  /**
   * The transaction with Paystack's {@code id} ({@code GET /transaction/{id}}); {@link
   * PaystackResult.NotFound} when Paystack has none.
   */
  public PaystackResult<Transaction> fetch(long id) {
    return read("/transaction/" + id, this::transaction);
  }

  /** One page of transactions, newest first ({@code GET /transaction}). */
  public PaystackResult<TransactionPage> list(TransactionQuery query) {
    StringBuilder path = new StringBuilder("/transaction?perPage=").append(query.perPage());
    path.append("&page=").append(query.page());
    if (query.status() != null) {
      path.append("&status=").append(query.status().paystackName());
    }
    if (query.from() != null) {
      path.append("&from=").append(query.from());
    }
    if (query.to() != null) {
      path.append("&to=").append(query.to());
    }
    return read(path.toString(), this::page);
  }

  /**
   * Every transaction {@code query} matches, from its page on, fetching one page at a time as the
   * iterator advances (so memory holds one page, whatever the total). The pages are read at
   * different moments: a transaction created meanwhile shifts later pages by one, so a transaction
   * may be seen twice; give {@code query} a {@code to} in the past for a stable walk.
   *
   * @throws PaystackResultException from {@code hasNext} or {@code next} when a page cannot be
   *     fetched (the result says why)
   */
  public Iterator<Transaction> iterate(TransactionQuery query) {
    return new Iterator<>() {
      private TransactionQuery next = query;
      private @Nullable Iterator<Transaction> current;
      private boolean last;

      @Override
      public boolean hasNext() {
        while (current == null || !current.hasNext()) {
          if (last) {
            return false;
          }
          TransactionPage page = list(next).orElseThrow();
          current = page.transactions().iterator();
          last = !page.hasNext() || page.transactions().isEmpty();
          next = next.page(next.page() + 1);
        }
        return true;
      }

      @Override
      public Transaction next() {
        if (!hasNext() || current == null) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /**
   * Charges a saved, reusable authorization at once ({@code POST
   * /transaction/charge_authorization}), e.g. a subscription's renewal. The transaction answered
   * says whether it succeeded.
   */
  public PaystackResult<Transaction> chargeAuthorization(ChargeRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("email", request.email());
    body.put("amount", request.amount().minor());
    body.put("currency", request.amount().currency().getCurrencyCode());
    body.put("authorization_code", request.authorizationCode());
    body.put("reference", request.reference());
    if (!request.metadata().isEmpty()) {
      body.put("metadata", request.metadata());
    }
    return write(
        "POST",
        "/transaction/charge_authorization",
        body,
        request.reference(),
        this::transaction,
        () ->
            ours(
                verify(request.reference()),
                request.reference(),
                tx ->
                    tx.amount().equals(request.amount())
                        && tx.customer().email().equalsIgnoreCase(request.email())));
  }

  // ---- payouts ----

  /** Creates (or, for an account Paystack knows, finds) a transfer recipient. */
  public PaystackResult<Recipient> createTransferRecipient(RecipientRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", request.type());
    body.put("name", request.name());
    if (request.accountNumber() != null) {
      body.put("account_number", request.accountNumber());
    }
    if (request.bankCode() != null) {
      body.put("bank_code", request.bankCode());
    }
    if (request.authorizationCode() != null) {
      body.put("authorization_code", request.authorizationCode());
    }
    body.put("currency", request.currency().getCurrencyCode());
    return write("POST", "/transferrecipient", body, null, this::recipient, null);
  }

  /**
   * Pays {@code request.amount()} from the balance to a recipient ({@code POST /transfer}). The
   * answer is usually {@code pending}; the outcome arrives by webhook or {@link #verifyTransfer}.
   */
  public PaystackResult<Transfer> initiateTransfer(TransferRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", "balance");
    body.put("amount", request.amount().minor());
    body.put("currency", request.amount().currency().getCurrencyCode());
    body.put("recipient", request.recipientCode());
    if (request.reason() != null) {
      body.put("reason", request.reason());
    }
    body.put("reference", request.reference());
    return write(
        "POST",
        "/transfer",
        body,
        request.reference(),
        this::transfer,
        () ->
            ours(
                verifyTransfer(request.reference()),
                request.reference(),
                transfer -> transfer.amount().equals(request.amount())));
  }

  /** The transfer under our {@code reference} ({@code GET /transfer/verify/{reference}}). */
  public PaystackResult<Transfer> verifyTransfer(String reference) {
    return read("/transfer/verify/" + segment(reference), this::transfer);
  }

  /** One page of transfers, newest first ({@code GET /transfer}). */
  public PaystackResult<TransferPage> listTransfers(TransferQuery query) {
    StringBuilder path = new StringBuilder("/transfer?perPage=").append(query.perPage());
    path.append("&page=").append(query.page());
    if (query.from() != null) {
      path.append("&from=").append(query.from());
    }
    if (query.to() != null) {
      path.append("&to=").append(query.to());
    }
    return read(path.toString(), this::transferPage);
  }

  // ---- refunds ----

  /**
   * Refunds a paid transaction, in full or in part ({@code POST /refund}). Sent at most once: see
   * {@link RefundRequest}.
   */
  public PaystackResult<Refund> refund(RefundRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("transaction", request.transactionReference());
    if (request.amount() != null) {
      body.put("amount", request.amount().minor());
      body.put("currency", request.amount().currency().getCurrencyCode());
    }
    if (request.customerNote() != null) {
      body.put("customer_note", request.customerNote());
    }
    if (request.merchantNote() != null) {
      body.put("merchant_note", request.merchantNote());
    }
    return call(
        false,
        () ->
            interpret(
                exchange("POST", "/refund", body),
                null,
                (reader, data) -> refund(reader, data, request.transactionReference())));
  }

  /**
   * The refunds of the transaction {@code transactionReference} created from {@code from} on
   * ({@code GET /refund?transaction=...}), newest first, at most 500: enough to learn whether a
   * refund whose answer was lost reached Paystack. Refunds the answer names with another
   * transaction's reference are left out.
   */
  public PaystackResult<List<Refund>> refunds(String transactionReference, Instant from) {
    List<Refund> found = new ArrayList<>();
    for (int page = 1; page <= 5; page++) {
      String path =
          "/refund?transaction="
              + segment(transactionReference)
              + "&from="
              + from
              + "&perPage=100&page="
              + page;
      PaystackResult<RefundPage> answer =
          read(path, (r, root) -> refundPage(r, root, transactionReference));
      if (!(answer instanceof PaystackResult.Ok<RefundPage>(RefundPage one))) {
        return answer.map(RefundPage::refunds);
      }
      found.addAll(one.refunds());
      if (page >= one.pageCount()) {
        break;
      }
    }
    return new PaystackResult.Ok<>(List.copyOf(found));
  }

  /** {@code transaction}'s facts for settlement; empty while it is undecided. */
  public static Optional<ProviderFacts> toFacts(Transaction transaction) {
    return transaction.facts();
  }

  @Override
  public String toString() {
    return "PaystackClient[" + baseUri + ", " + resilience + "]";
  }

  // ---- calls ----

  private <T> PaystackResult<T> read(String path, DataReader<T> reader) {
    return call(true, () -> interpret(exchange("GET", path, null), null, reader));
  }

  /**
   * A write that carries our {@code reference} (or, with none, is idempotent at Paystack), so it is
   * retried; a duplicate refusal after a retry is resolved by {@code lookUp}.
   */
  private <T> PaystackResult<T> write(
      String method,
      String path,
      Map<String, Object> body,
      @Nullable String reference,
      DataReader<T> reader,
      @Nullable LookUp<T> lookUp) {
    AtomicInteger attempts = new AtomicInteger();
    PaystackResult<T> result =
        call(
            true,
            () -> {
              attempts.incrementAndGet();
              return interpret(exchange(method, path, body), reference, reader);
            });
    if (result instanceof PaystackResult.DuplicateReference<T>
        && attempts.get() > 1
        && lookUp != null) {
      return lookUp.find();
    }
    return result;
  }

  /**
   * {@code found} if it is what our lost attempt would have created; a duplicate otherwise (the
   * reference was used before, by something else).
   */
  private static <T> PaystackResult<T> ours(
      PaystackResult<T> found, String reference, Predicate<T> matches) {
    if (found instanceof PaystackResult.Ok<T>(T value) && !matches.test(value)) {
      return new PaystackResult.DuplicateReference<>(
          reference,
          "the reference is already used by a different " + value.getClass().getSimpleName());
    }
    return found;
  }

  private <T> PaystackResult<T> call(boolean repeatable, Attempt<T> attempt) {
    AtomicBoolean mayHaveHappened = new AtomicBoolean();
    try {
      return resilience.get(
          () -> {
            if (!repeatable && mayHaveHappened.get()) {
              throw new OutcomeUnknown(
                  "an earlier attempt may have reached Paystack; not sent again");
            }
            mayHaveHappened.set(true);
            try {
              return attempt.run();
            } catch (Throttled throttled) {
              if (throttled.status() == 429) {
                mayHaveHappened.set(false); // refused before anything was done
              }
              throw throttled;
            } catch (ServerFailure failure) {
              if (failure.getCause() instanceof ConnectException) {
                mayHaveHappened.set(false); // never reached Paystack
              }
              throw failure;
            }
          });
    } catch (DependencyUnavailableException e) {
      Reason reason =
          e.reason() == DependencyUnavailableException.Reason.CIRCUIT_OPEN
              ? Reason.CIRCUIT_OPEN
              : Reason.BULKHEAD_FULL;
      return new PaystackResult.Unavailable<>(reason, e.retryAfter(), e.getMessage());
    } catch (DependencyTimeoutException e) {
      return unavailable(repeatable ? Reason.TIMED_OUT : Reason.OUTCOME_UNKNOWN, e);
    } catch (Throttled e) {
      return new PaystackResult.Unavailable<>(Reason.RATE_LIMITED, e.retryAfter(), e.getMessage());
    } catch (ServerFailure e) {
      return unavailable(
          repeatable || e.getCause() instanceof ConnectException
              ? Reason.FAILING
              : Reason.OUTCOME_UNKNOWN,
          e);
    } catch (OutcomeUnknown e) {
      return unavailable(Reason.OUTCOME_UNKNOWN, e);
    } catch (DependencyFailedException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new PaystackException("interrupted while calling Paystack", e);
      }
      throw e;
    }
  }

  private static <T> PaystackResult<T> unavailable(Reason reason, Exception e) {
    return new PaystackResult.Unavailable<>(reason, Duration.ZERO, String.valueOf(e.getMessage()));
  }

  private <T> PaystackResult<T> interpret(
      Answer answer, @Nullable String reference, DataReader<T> reader) {
    Reader r = new Reader(answer.status);
    if (answer.status >= 200 && answer.status < 300) {
      JsonNode root = answer.root;
      if (root == null) {
        throw new PaystackResponseException(answer.status, "the body is not a JSON object");
      }
      if (root.has("status") && !r.bool(root, "", "status")) {
        return new PaystackResult.Refused<>(answer.status, answer.message);
      }
      return new PaystackResult.Ok<>(reader.read(r, root));
    }
    String lower = answer.message.toLowerCase(Locale.ROOT);
    if (answer.status == 404 || answer.status == 400 && lower.contains("not found")) {
      return new PaystackResult.NotFound<>(answer.message);
    }
    if (answer.status == 400 && reference != null && lower.contains("duplicate")) {
      return new PaystackResult.DuplicateReference<>(reference, answer.message);
    }
    return new PaystackResult.Refused<>(answer.status, answer.message);
  }

  /**
   * One HTTP exchange. 5xx, 429 and I/O errors are thrown for the resilience policies; 401 throws
   * {@link PaystackAuthenticationException}; everything else is answered.
   */
  private Answer exchange(String method, String path, @Nullable Map<String, Object> body)
      throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUri + path))
            .timeout(requestTimeout)
            .header("Authorization", "Bearer " + secretKey)
            .header("Accept", "application/json");
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      byte[] json;
      try {
        json = mapper.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        throw new PaystackException("cannot write the request for " + path + " as JSON", e);
      }
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(json));
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ServerFailure(method + " " + pathOnly(path) + ": " + e, e);
    }
    int status = response.statusCode();
    JsonNode root = parse(response.body());
    String message = message(root, response.body());
    if (status == 429 || status >= 500) {
      Optional<Duration> retryAfter = retryAfter(response.headers());
      if (retryAfter.isPresent()) {
        throw new Throttled(status, message, retryAfter.get());
      }
      throw new ServerFailure(status, message);
    }
    if (status == 401) {
      throw new PaystackAuthenticationException(message);
    }
    return new Answer(status, root, message);
  }

  private String json(Object value, String what) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new PaystackException("cannot write " + what + " as JSON", e);
    }
  }

  private @Nullable JsonNode parse(byte[] body) {
    try {
      JsonNode root = mapper.readTree(body);
      return root != null && root.isObject() ? root : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String message(@Nullable JsonNode root, byte[] body) {
    if (root != null && root.hasNonNull("message") && root.get("message").isValueNode()) {
      return root.get("message").asText();
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** {@code Retry-After} as seconds or an HTTP date; empty when absent or unreadable. */
  static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Retry-After").map(String::strip);
    if (value.isEmpty() || value.get().isEmpty()) {
      return Optional.empty();
    }
    String text = value.get();
    if (text.matches("[0-9]{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String segment(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("reference must not be blank");
    }
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String pathOnly(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  // ---- readers: Paystack's fields into our records ----

  private Initialized initialized(Reader r, JsonNode root) {
    JsonNode data = r.object(root, "", "data");
    String url = r.text(data, "data.", "authorization_url");
    URI authorizationUrl;
    try {
      authorizationUrl = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw r.malformed("data.authorization_url", "is not a URI: " + url);
    }
    return new Initialized(
        r.text(data, "data.", "reference"), authorizationUrl, r.text(data, "data.", "access_code"));
  }

  private Transaction transaction(Reader r, JsonNode root) {
    return transaction(r, r.object(root, "", "data"), "data.");
  }

  private TransactionPage page(Reader r, JsonNode root) {
    JsonNode data = r.array(root, "", "data");
    List<Transaction> transactions = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      if (!item.isObject()) {
        throw r.malformed("data[" + i + "]", "is not an object");
      }
      transactions.add(transaction(r, item, "data[" + i + "]."));
    }
    JsonNode meta = r.object(root, "", "meta");
    return new TransactionPage(
        transactions,
        (int) r.integer(meta, "meta.", "page"),
        (int) r.integer(meta, "meta.", "pageCount"),
        r.integer(meta, "meta.", "total"));
  }

  private Transaction transaction(Reader r, JsonNode data, String path) {
    Currency currency = r.currency(data, path, "currency");
    Long fees = r.optionalInteger(data, path, "fees");
    JsonNode auth = r.optionalObject(data, "authorization");
    Transaction.Authorization authorization = null;
    if (auth != null
        && r.optionalText(auth, path + "authorization.", "authorization_code") != null) {
      String at = path + "authorization.";
      authorization =
          new Transaction.Authorization(
              r.text(auth, at, "authorization_code"),
              r.bool(auth, at, "reusable"),
              r.optionalText(auth, at, "signature"),
              r.optionalText(auth, at, "last4"),
              r.optionalText(auth, at, "brand"));
    }
    JsonNode customer = r.object(data, path, "customer");
    var paidAt = r.optionalInstant(data, path, "paid_at");
    if (paidAt == null) {
      paidAt = r.optionalInstant(data, path, "paidAt");
    }
    return new Transaction(
        r.integer(data, path, "id"),
        r.text(data, path, "reference"),
        Transaction.Status.of(r.text(data, path, "status")),
        r.money(data, path, "amount", currency),
        paidAt,
        r.optionalText(data, path, "channel"),
        fees == null ? null : Money.of(fees, currency),
        authorization,
        new Transaction.Customer(
            r.text(customer, path + "customer.", "email"),
            r.optionalText(customer, path + "customer.", "customer_code")),
        metadata(data.get("metadata")));
  }

  /**
   * Paystack's metadata: an object, a string holding one, or an empty string or null; null values
   * are dropped.
   */
  private Map<String, Object> metadata(@Nullable JsonNode node) {
    if (node != null && node.isTextual()) {
      node = parse(node.asText().getBytes(StandardCharsets.UTF_8));
    }
    if (node == null || !node.isObject()) {
      return Map.of();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (var field : node.properties()) {
      if (!field.getValue().isNull()) {
        values.put(field.getKey(), mapper.convertValue(field.getValue(), Object.class));
      }
    }
    return values;
  }

  private Recipient recipient(Reader r, JsonNode root) {
    JsonNode data = r.object(root, "", "data");
    return new Recipient(
        r.text(data, "data.", "recipient_code"),
        r.integer(data, "data.", "id"),
        r.text(data, "data.", "type"),
        r.text(data, "data.", "name"),
        r.text(data, "data.", "currency"));
  }

  private Transfer transfer(Reader r, JsonNode root) {
    return transfer(r, r.object(root, "", "data"), "data.");
  }

  private TransferPage transferPage(Reader r, JsonNode root) {
    JsonNode data = r.array(root, "", "data");
    List<Transfer> transfers = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      if (!item.isObject()) {
        throw r.malformed("data[" + i + "]", "is not an object");
      }
      transfers.add(transfer(r, item, "data[" + i + "]."));
    }
    JsonNode meta = r.object(root, "", "meta");
    return new TransferPage(
        transfers,
        (int) r.integer(meta, "meta.", "page"),
        (int) r.integer(meta, "meta.", "pageCount"),
        r.integer(meta, "meta.", "total"));
  }

  private Transfer transfer(Reader r, JsonNode data, String path) {
    Currency currency = r.currency(data, path, "currency");
    JsonNode recipient = r.optionalObject(data, "recipient");
    return new Transfer(
        r.integer(data, path, "id"),
        r.text(data, path, "transfer_code"),
        r.text(data, path, "reference"),
        r.text(data, path, "status"),
        r.money(data, path, "amount", currency),
        recipient == null ? null : r.optionalText(recipient, path + "recipient.", "recipient_code"),
        r.optionalText(data, path, "reason"));
  }

  private Refund refund(Reader r, JsonNode root, String requested) {
    JsonNode data = r.object(root, "", "data");
    Currency currency = r.currency(data, "data.", "currency");
    String reference = r.optionalText(data, "data.", "transaction_reference");
    JsonNode transaction = r.optionalObject(data, "transaction");
    if (reference == null && transaction != null) {
      reference = r.optionalText(transaction, "data.transaction.", "reference");
    }
    return new Refund(
        r.integer(data, "data.", "id"),
        reference != null ? reference : requested,
        r.money(data, "data.", "amount", currency),
        r.text(data, "data.", "status"));
  }

  private record RefundPage(List<Refund> refunds, int pageCount) {}

  private RefundPage refundPage(Reader r, JsonNode root, String transactionReference) {
    JsonNode data = r.array(root, "", "data");
    List<Refund> refunds = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      if (!item.isObject()) {
        throw r.malformed("data[" + i + "]", "is not an object");
      }
      String path = "data[" + i + "].";
      Currency currency = r.currency(item, path, "currency");
      // Paystack names the transaction by id in a list; the simulator adds its reference
      String reference = r.optionalText(item, path, "transaction_reference");
      if (reference != null && !reference.equals(transactionReference)) {
        continue;
      }
      refunds.add(
          new Refund(
              r.integer(item, path, "id"),
              transactionReference,
              r.money(item, path, "amount", currency),
              r.text(item, path, "status")));
    }
    JsonNode meta = root.path("meta");
    int pageCount =
        meta.path("pageCount").canConvertToInt() ? meta.path("pageCount").intValue() : 1;
    return new RefundPage(refunds, pageCount);
  }

  private record Answer(int status, @Nullable JsonNode root, String message) {}

  @FunctionalInterface
  private interface DataReader<T> {
    T read(Reader reader, JsonNode root);
  }

  @FunctionalInterface
  private interface Attempt<T> {
    PaystackResult<T> run() throws InterruptedException;
  }

  @FunctionalInterface
  private interface LookUp<T> {
    PaystackResult<T> find();
  }

  /** Collects a client's settings; {@link #build()} checks them. */
  public static final class Builder {
    private @Nullable String secretKey;
    private URI baseUri = DEFAULT_BASE_URI;
    private @Nullable HttpClient httpClient;
    private @Nullable Resilience resilience;
    private @Nullable ObjectMapper objectMapper;
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The secret key ({@code sk_live_...} or {@code sk_test_...}); required, never printed. */
    public Builder secretKey(String secretKey) {
      this.secretKey = secretKey;
      return this;
    }

    /**
     * Where Paystack's API is; {@link #DEFAULT_BASE_URI} unless set (the reference server takes it
     * from {@code PAYSTACK_BASE_URL}, e.g. to point at the simulator).
     */
    public Builder baseUri(URI baseUri) {
      this.baseUri = baseUri;
      return this;
    }

    /** The HTTP client; by default a new one with a 5 s connect timeout. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    /**
     * The resilience every call goes through; {@link #resilienceDefaults()} built unless set. Build
     * yours from {@link #resilienceDefaults()}, or narrow its settings with {@link
     * #retries(RetrySettings)} and {@link #breaker(CircuitBreakerSettings)}, so that a 4xx is never
     * retried nor opens the circuit.
     */
    public Builder resilience(Resilience resilience) {
      this.resilience = resilience;
      return this;
    }

    /** The Jackson mapper for request and response bodies; a plain one unless set. */
    public Builder objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = objectMapper;
      return this;
    }

    /**
     * A bound on one HTTP exchange, a backstop behind the resilience timeout (which should be
     * shorter); 30 s unless set.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Checks the settings and builds the client.
     *
     * @throws OdimConfigException naming the first invalid setting
     */
    public PaystackClient build() {
      String key = secretKey;
      if (key == null || key.isBlank()) {
        throw new OdimConfigException("secretKey", "must be set");
      }
      if (key.chars().anyMatch(c -> c <= ' ' || c == 127)) {
        throw new OdimConfigException("secretKey", "must not contain spaces or control characters");
      }
      URI base = baseUri;
      if (base == null
          || !base.isAbsolute()
          || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
          || base.getHost() == null) {
        throw new OdimConfigException("baseUri", "must be an absolute http(s) URI, was " + base);
      }
      String text = base.toString();
      while (text.endsWith("/")) {
        text = text.substring(0, text.length() - 1);
      }
      if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new OdimConfigException(
            "requestTimeout", "must be more than zero, was " + requestTimeout);
      }
      return new PaystackClient(this, key, URI.create(text));
    }

    @Override
    public String toString() {
      return "PaystackClient.Builder["
          + baseUri
          + ", secretKey "
          + (secretKey == null ? "unset" : "set")
          + "]";
    }
  }
}

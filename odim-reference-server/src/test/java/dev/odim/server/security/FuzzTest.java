package dev.odim.server.security;

import static dev.odim.server.security.SafeAnswers.assertNoLeak;
import static dev.odim.server.security.SafeAnswers.assertSafe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.ServerJson;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.Role;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.internal.PostgresServer;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

/**
 * Random and malformed input at every declared route, anonymous and signed in: any JSON value,
 * bodies shaped like the route's with random values, broken JSON, wrong content types, bodies over
 * the limit, deep nesting, invalid UTF-8, odd headers, and hand-written malformed HTTP over a raw
 * socket. Every answer is below 500, every error a problem with a code and nothing internal; at the
 * end every table of the database has changed only as much as the successful requests explain.
 */
class FuzzTest {
  /** Who sends a request. */
  enum Who {
    ANONYMOUS,
    GARBAGE_COOKIE,
    FAN,
    CREATOR,
    ADMIN
  }

  /** One route called by one kind of caller. */
  record Target(Endpoint endpoint, Who who) {
    @Override
    public String toString() {
      return endpoint.key() + " as " + who;
    }
  }

  private static final String USERS = "odim_server.users";
  private static final String SESSIONS = "odim_server.sessions";
  private static final String AUDIT = "odim_audit.audit_log";
  private static final String PROFILES = "odim_server.creator_profiles";
  private static final String TIERS = "odim_server.tiers";
  private static final String LEDGER_ACCOUNTS = "odim_ledger.accounts";
  private static final String PAYOUT_ACCOUNTS = "odim_server.payout_accounts";
  private static final String UPLOADS = "odim_uploads.uploads";
  private static final String IDEMPOTENCY_KEYS = "odim_idempotency.idempotency_keys";
  // An admin's reconciliation run over a window with nothing in it: its record and its (empty)
  // copy of the provider's side.
  private static final String RECONCILIATION_RUNS = "odim_payments.reconciliation_runs";
  private static final String PROVIDER_RECORDS = "odim_payments.reconciliation_provider_records";
  private static int uploadsCreated;
  private static boolean payoutAccountSet;
  private static int profilesCreated;
  private static int tiersCreated;

  private static @Nullable PostgresServer postgres;
  private static @Nullable TestDatabase database;
  private static @Nullable SecureServer platform;
  private static final Map<Who, Session> sessions = new EnumMap<>(Who.class);
  private static @Nullable DatabaseSnapshot before;
  private static int usersCreated;
  private static int sessionsStarted;
  private static final Map<String, Integer> successes = new HashMap<>();
  private static final ValidatorFactory validation = Validation.buildDefaultValidatorFactory();

  /** PostgresExtension is a Jupiter extension, which jqwik does not run: start a server here. */
  @BeforeContainer
  static void start() throws Exception {
    postgres = PostgresServer.start(System.getenv());
    database = postgres.createDatabase();
    platform = new SecureServer(database);
    platform.awaitStartupReconciliation();
    sessions.put(Who.FAN, platform.signup("fan"));
    sessions.put(Who.CREATOR, platform.signup("creator"));
    sessions.put(Who.ADMIN, platform.admin());
    usersCreated = 0;
    sessionsStarted = 0;
    before = DatabaseSnapshot.of(database);
  }

  @AfterContainer
  static void noPartialWrite() {
    try {
      DatabaseSnapshot after = DatabaseSnapshot.of(database);
      Map<String, Long> changes = before.changesTo(after);
      assertThat(after.tables()).as("no table dropped or created").isEqualTo(before.tables());
      assertThat(changes.keySet())
          .as("tables changed by %s successes", successes)
          .isSubsetOf(
              USERS,
              SESSIONS,
              AUDIT,
              PROFILES,
              TIERS,
              LEDGER_ACCOUNTS,
              PAYOUT_ACCOUNTS,
              UPLOADS,
              IDEMPOTENCY_KEYS,
              RECONCILIATION_RUNS,
              PROVIDER_RECORDS);
      // A key is kept only with a success it can replay; refusals release theirs.
      assertThat(changes.getOrDefault(IDEMPOTENCY_KEYS, 0L))
          .as("idempotency keys")
          .isLessThanOrEqualTo(successes.values().stream().mapToLong(Number::longValue).sum());
      // Every upload row is one a creation answered 201 for; none became content (no random body
      // sniffs as an allowed type), so odim_server.contents is unchanged.
      assertThat(changes.getOrDefault(UPLOADS, 0L)).as("uploads").isEqualTo(uploadsCreated);
      // One creator signs in here: their first saved account adds the row, later ones replace it.
      assertThat(changes.getOrDefault(PAYOUT_ACCOUNTS, 0L))
          .as("payout accounts")
          .isEqualTo(payoutAccountSet ? 1L : 0L);
      assertThat(changes.getOrDefault(USERS, 0L)).as("users").isEqualTo(usersCreated);
      assertThat(changes.getOrDefault(PROFILES, 0L)).as("profiles").isEqualTo(profilesCreated);
      assertThat(changes.getOrDefault(TIERS, 0L)).as("tiers").isEqualTo(tiersCreated);
      // A creator's balance account is made with their first tier, and only then.
      assertThat(changes.getOrDefault(LEDGER_ACCOUNTS, 0L))
          .as("ledger accounts")
          .isBetween(0L, (long) tiersCreated);
      assertThat(changes.getOrDefault(SESSIONS, 0L)).as("sessions").isEqualTo(sessionsStarted);
      assertThat(successes)
          .as("mutated valid bodies reached the write path")
          .containsKey("POST /api/auth/signup");
      assertThat(DatabaseSnapshot.usersWithoutSession(database))
          .as("users created without a session: a signup stopped half-way")
          .isZero();
    } finally {
      platform.close();
      validation.close();
      postgres.dropDatabase(database);
      postgres.close();
    }
  }

  @Provide
  Arbitrary<Target> targets() {
    return Combinators.combine(Arbitraries.of(ours()), Arbitraries.of(Who.class)).as(Target::new);
  }

  /**
   * Every declared route but the Paystack simulator's, which answers in Paystack's own shapes (its
   * errors are {@code {"status": false, ...}}, not problem+json) and stores nothing here.
   */
  private static List<Endpoint> ours() {
    return platform.server.endpoints().stream().filter(e -> !e.path().startsWith("/sim/")).toList();
  }

  @Property(tries = 300)
  void anyJsonValue(@ForAll("targets") Target target, @ForAll Random random) throws Exception {
    String body =
        random.nextInt(3) == 0
            ? FuzzBodies.value(random, 4)
            : FuzzBodies.object(random, 2, fields(target));
    Answer answer = send(target, utf8(body), Map.of("Content-Type", "application/json"));
    if (answer.status() < 300 && target.endpoint().bodyType() != null) {
      assertThat(target.endpoint().key())
          .as("a random body succeeded: %s", body)
          .isIn("POST /api/auth/signup", "POST /api/auth/login");
    }
  }

  @Provide
  Arbitrary<Target> tusTargets() {
    return Combinators.combine(
            Arbitraries.of(ours().stream().filter(e -> e.path().startsWith("/uploads/")).toList()),
            Arbitraries.of(Who.class))
        .as(Target::new);
  }

  /**
   * tus requests that get past the version check: the protocol's headers with valid, odd and
   * hostile values, bodies of random bytes. Every refusal is a problem with a code; a creation that
   * succeeds is counted against the rows of odim_uploads.uploads at the end.
   */
  @Property(tries = 200)
  void tusHeaders(@ForAll("tusTargets") Target target, @ForAll Random random) throws Exception {
    Map<String, String> headers = new HashMap<>();
    headers.put("Tus-Resumable", random.nextInt(10) == 0 ? garbage(random) : "1.0.0");
    String[] numbers = {"0", "5", "-1", " 7 ", "1e3", "99999999999999999999", "2147483649", "x"};
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(8)) {
        case 0 -> headers.put("Upload-Length", numbers[random.nextInt(numbers.length)]);
        case 1 -> headers.put("Upload-Defer-Length", random.nextBoolean() ? "1" : garbage(random));
        case 2 -> headers.put("Upload-Offset", numbers[random.nextInt(numbers.length)]);
        case 3 ->
            headers.put(
                "Upload-Metadata",
                switch (random.nextInt(4)) {
                  case 0 -> "filename " + base64("a.png") + ",filetype " + base64("image/png");
                  case 1 -> "filetype " + base64("application/x-msdownload");
                  case 2 -> "filename !!notbase64!!,,a b c";
                  default -> garbage(random);
                });
        case 4 ->
            headers.put(
                "Upload-Checksum",
                new String[] {"sha256 AAAA", "crc32 AAAA", "sha1", "md5 " + garbage(random)}
                    [random.nextInt(4)]);
        case 5 ->
            headers.put(
                "Upload-Concat",
                new String[] {
                      "partial", "final;/uploads/" + UUID.randomUUID(), "final;", garbage(random)
                    }
                    [random.nextInt(4)]);
        case 6 ->
            headers.put(
                "X-HTTP-Method-Override",
                new String[] {"PATCH", "DELETE", "HEAD", "GET", garbage(random)}
                    [random.nextInt(5)]);
        default ->
            headers.put(
                "Content-Type",
                random.nextBoolean() ? "application/offset+octet-stream" : "application/json");
      }
    }
    byte[] body = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(4096)];
    random.nextBytes(body);
    send(target, body, headers);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Provide
  Arbitrary<Target> bodyTargets() {
    return Combinators.combine(
            Arbitraries.of(ours().stream().filter(e -> e.bodyType() != null).toList()),
            Arbitraries.of(Who.class))
        .as(Target::new);
  }

  /**
   * A valid body with one or two things wrong: a field replaced by any JSON value, a field missing,
   * an unknown field, a key in other case, an odd character appended. Many of these are still valid
   * and succeed, which exercises the accounting of complete writes.
   */
  @Property(tries = 150)
  void mutatedValidBodies(@ForAll("bodyTargets") Target target, @ForAll Random random)
      throws Exception {
    Class<?> type = target.endpoint().bodyType();
    Session session = session(target.who());
    Map<String, Object> known =
        switch (target.endpoint().key()) {
          case "POST /api/auth/login" -> {
            Session fan = sessions.get(Who.FAN);
            yield Map.of("email", fan.email(), "password", fan.password());
          }
          case "POST /api/me/password" ->
              session == null ? Map.of() : Map.of("currentPassword", session.password());
          default -> Map.of();
        };
    Map<String, @Nullable Object> valid =
        new ValidBodies(validation.getValidator()).valid(type, known);
    Map<String, Object> body = new LinkedHashMap<>();
    valid.forEach((k, v) -> body.put(k, v == null ? platform.json.nullNode() : v));
    List<String> names = new ArrayList<>(body.keySet());
    int mutations = random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(5)) {
        case 0 -> body.put(name, platform.json.readTree(FuzzBodies.value(random, 2)));
        case 1 -> body.remove(name);
        case 2 -> body.put(name + "X", "unknown");
        case 3 -> {
          Object value = body.remove(name);
          body.put(name.toUpperCase(Locale.ROOT), value == null ? "" : value);
        }
        default -> {
          if (body.get(name) instanceof String text) {
            body.put(
                name,
                text
                    + new String[] {" ", "\t", "é", "😀", "\u202e", "\u0007", "'", "x".repeat(300)}
                        [random.nextInt(8)]);
          }
        }
      }
    }
    send(
        target,
        utf8(platform.json.writeValueAsString(body)),
        Map.of("Content-Type", "application/json"));
  }

  @Property(tries = 200)
  void malformedJson(@ForAll("targets") Target target, @ForAll Random random) throws Exception {
    String body = FuzzBodies.malformed(random, fields(target));
    byte[] bytes = utf8(body);
    Answer answer = send(target, bytes, Map.of("Content-Type", "application/json"));
    // A cut or padded body can still be whole JSON ("{}" for a route whose fields are all
    // optional): then the route runs and its own refusals (not_found, ...) are right too.
    if (reachesBody(target) && answer.status() >= 400 && !wholeJson(body)) {
      // The random values can make a body larger than the route takes; that is refused unread.
      String[] expected =
          bytes.length > target.endpoint().maxBodyBytes()
              ? new String[] {"payload_too_large"}
              : new String[] {
                "invalid_json", "validation_failed", "invalid_credentials", "email_taken"
              };
      assertThat(answer.code())
          .as("%s with %s bytes: %.500s", target, bytes.length, body)
          .isIn((Object[]) expected);
    }
  }

  @Property(tries = 120)
  void wrongContentTypes(@ForAll("targets") Target target, @ForAll Random random) throws Exception {
    String type =
        Arbitraries.of(
                "text/plain",
                "application/json; charset=latin1",
                "application/json; charset=utf-16",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/xml",
                "application/jsonx",
                "json",
                "*/*",
                ";",
                "application/json;;;=",
                "APPLICATION/JSON",
                "application/problem+json",
                "")
            .sample();
    String body = FuzzBodies.object(random, 1, fields(target));
    Map<String, String> headers = type.isEmpty() ? Map.of() : Map.of("Content-Type", type);
    Answer answer = send(target, utf8(body), headers);
    String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (reachesBody(target) && !media.equals("application/json") && !media.endsWith("+json")) {
      assertThat(answer.status()).as("%s as %s", target, type).isEqualTo(415);
      assertThat(answer.code()).isEqualTo("unsupported_media_type");
    }
  }

  @Property(tries = 30)
  void bodiesOverTheLimit(@ForAll("targets") Target target, @ForAll Random random)
      throws Exception {
    int limit = target.endpoint().maxBodyBytes();
    int size =
        random.nextInt(5) == 0
            ? (1 << 20) + 1 + random.nextInt(1 << 20)
            : limit + 1 + random.nextInt(limit * 3);
    String padding = "x".repeat(size);
    String body = "{\"name\":\"" + padding + "\"}";
    Answer answer = send(target, utf8(body), Map.of("Content-Type", "application/json"));
    if (reachesBody(target)) {
      assertThat(answer.status()).as("%s with %d bytes", target, body.length()).isEqualTo(413);
      assertThat(answer.code()).isEqualTo("payload_too_large");
    }
  }

  @Property(tries = 30)
  void deepNesting(@ForAll("targets") Target target, @ForAll Random random) throws Exception {
    int depth = random.nextInt(4) == 0 ? 10_000 : 500 + random.nextInt(5_000);
    String body = FuzzBodies.nested(random, depth);
    if (random.nextBoolean() && !fields(target).isEmpty()) {
      body = "{\"" + fields(target).get(0) + "\":" + body + "}";
    }
    Answer answer = send(target, utf8(body), Map.of("Content-Type", "application/json"));
    if (reachesBody(target)) {
      assertThat(answer.status()).as("%s nested %d deep", target, depth).isIn(400, 413);
    }
  }

  @Property(tries = 100)
  void invalidUtf8AndOtherEncodings(@ForAll("targets") Target target, @ForAll Random random)
      throws Exception {
    byte[] body =
        random.nextInt(3) == 0
            ? FuzzBodies.otherEncoding(random, fields(target))
            : FuzzBodies.invalidUtf8(random, fields(target));
    Answer answer = send(target, body, Map.of("Content-Type", "application/json"));
    if (reachesBody(target) && answer.status() >= 400) {
      assertThat(answer.status()).as("%s", target).isIn(400, 401, 409, 413);
    }
  }

  @Property(tries = 100)
  void oddHeaders(@ForAll("targets") Target target, @ForAll Random random) throws Exception {
    Map<String, String> headers = new HashMap<>();
    headers.put("Content-Type", "application/json");
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(10)) {
        case 0 -> headers.put("X-Odd", "v".repeat(1 + random.nextInt(16_000)));
        case 1 -> headers.put("Cookie", manyCookies(random));
        case 2 -> headers.put("Cookie", "odim_session=" + garbage(random));
        case 3 ->
            headers.put("Cookie", "__Host-odim_session=" + garbage(random) + "; odim_session=");
        case 4 -> headers.put("X-Request-Id", garbage(random));
        case 5 -> headers.put("X-Forwarded-For", garbage(random) + ", 999.1.1.1, ::ffff:zz");
        case 6 ->
            headers.put("Origin", random.nextBoolean() ? "null" : "http://" + garbage(random));
        case 7 -> headers.put("Sec-Fetch-Site", garbage(random));
        case 8 -> headers.put("Accept", random.nextBoolean() ? "text/html" : garbage(random));
        default -> headers.put("User-Agent", "é".repeat(random.nextInt(2_000)) + garbage(random));
      }
    }
    byte[] body = utf8(FuzzBodies.object(random, 1, fields(target)));
    send(target, body, headers);
  }

  /**
   * Bodies whose first bytes make Jackson read them as UTF-16 or UTF-32, then break that encoding:
   * code points above U+10FFFF, lone surrogates, a byte count that is no multiple of four.
   */
  @Example
  void bodiesInEncodingsJacksonGuessesWrong() throws Exception {
    List<byte[]> bodies =
        List.of(
            bytes(0, 0, 0, '{', '"', 'a', '"', ':', '1', '}'),
            bytes('{', 0, 0, 0, '"', 'a', '"', ':', '1', '}'),
            bytes(0, 0, 0xFE, 0xFF, 0, 0x11, 0, 0, 0, 0, 0, '{'),
            bytes(0xFF, 0xFE, 0, 0, '{', 0, 0, 0, 0, 0, 0x11, 0),
            bytes(0, 0, 0, '{', 0, 0, 0, '"', 0, 0, 0xD8, 0, 0, 0, 0, '"', 0, 0, 0, '}'),
            bytes(0xFE, 0xFF, 0, '{', 0, '"', 0xD8, 0, 0, '"', 0, ':', 0, '1', 0, '}'),
            bytes(0xFF, 0xFE, '{', 0, '"', 0, 0, 0xDC, '"', 0, ':', 0, '1', 0, '}', 0),
            bytes(0, 0, 0, '{', 0, 0, 0, '}', 0, 0),
            bytes(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, '{', '}'));
    for (Endpoint endpoint : ours()) {
      if (endpoint.bodyType() == null || !(endpoint.access() instanceof Access.Public)) {
        continue;
      }
      for (byte[] body : bodies) {
        Answer answer =
            send(
                new Target(endpoint, Who.ANONYMOUS),
                body,
                Map.of("Content-Type", "application/json"));
        assertThat(answer.status())
            .as("%s with %s", endpoint.key(), HexFormat.of().formatHex(body))
            .isEqualTo(400);
      }
    }
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  /**
   * Requests Java's HttpClient refuses to send: a broken request line, a header without a colon, a
   * huge header block, broken chunked encoding, a Content-Length that lies, an absolute-form URI,
   * HTTP/1.0, a NUL in the path. Jetty answers each without a 5xx and without internals.
   */
  @Example
  void malformedHttpOverARawSocket() throws Exception {
    String login = "/api/auth/login";
    String json = "{\"email\":\"a@b.c\",\"password\":\"x\"}";
    List<String> requests =
        List.of(
            "GARBAGE\r\n\r\n",
            "GET\r\n\r\n",
            "GET /api/me HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /api/me HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
            "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Huge: " + "h".repeat(70_000) + "\r\n\r\n",
            "GET /api/me HTTP/1.1\r\n" + "X-Many: 1\r\n".repeat(5_000) + "Host: x\r\n\r\n",
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n"
                + json
                + "\r\n0\r\n\r\n",
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\n"
                + json
                + "\r\n0\r\n\r\n",
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n4\r\n{\"a\"\r\n0\r\n\r\n",
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 5\r\n\r\n"
                + json,
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: -1\r\n\r\n"
                + json,
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 99999999999999999999\r\n\r\n"
                + json,
            "POST "
                + login
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nContent-Length: 40\r\n\r\n"
                + json,
            "GET http://evil.example/api/me HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://localhost/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /health/live HTTP/1.0\r\n\r\n",
            "POST " + login + " HTTP/1.0\r\nContent-Type: application/json\r\n\r\n" + json,
            "GET /api/me%00 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/me HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET /api/me HTTP/1.1\r\n\r\n",
            "GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: odim_session=\u0001\u0002\r\n\r\n",
            "GET /api/me HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n",
            "GET /api/me HTTP/1.1\nHost: x\n\n",
            "DELETE /api/sessions/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
            "BREW /api/me HTTP/1.1\r\nHost: x\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    List<String> answered = new ArrayList<>();
    for (String request : requests) {
      String response =
          RawHttp.exchange(
              platform.server.baseUri().getHost(), platform.server.baseUri().getPort(), request);
      String line = response.lines().findFirst().orElse("");
      String shown = request.length() > 80 ? request.substring(0, 80) + "..." : request;
      assertNoLeak(response, shown);
      if (line.startsWith("HTTP/")) {
        int status = Integer.parseInt(line.split(" ")[1]);
        // 505 is HTTP's own answer to a version it does not speak, not a failure of the server.
        if (!request.startsWith("GET /api/me HTTP/9.9")) {
          assertThat(status).as("%s answered %s", shown, response).isLessThan(500);
        } else {
          assertThat(status).isEqualTo(505);
        }
        answered.add(status + " " + shown.lines().findFirst().orElse(""));
      }
    }
    System.out.println("Raw HTTP answers: " + answered);
    assertThat(answered)
        .as("Jetty answers malformed requests instead of hanging up")
        .hasSizeGreaterThan(requests.size() / 2);
  }

  /** Sends, asserts the answer is safe and accounts for what a success changed. */
  private static Answer send(Target target, byte[] body, Map<String, String> headers)
      throws Exception {
    Endpoint endpoint = target.endpoint();
    Session session = session(target.who());
    String path =
        endpoint
            .path()
            .replaceAll("\\{[^}]+}", UUID.randomUUID().toString())
            .replaceAll("<[^>]+>", "transaction/verify/" + UUID.randomUUID());
    if (endpoint.idempotency() == Idempotency.REQUIRED
        && headers.keySet().stream().noneMatch("Idempotency-Key"::equalsIgnoreCase)) {
      // Without a key such a route refuses before it reads the body; the fuzz is about the body.
      Map<String, String> withKey = new HashMap<>(headers);
      withKey.put("Idempotency-Key", UUID.randomUUID().toString());
      headers = withKey;
    }
    Answer answer =
        platform.sendBytes(
            endpoint.method().name(),
            path,
            endpoint.method().name().equals("GET") ? null : body,
            session,
            headers);
    String request = target + " with " + headers.keySet();
    if (endpoint.path().equals("/metrics") && answer.status() == 200) {
      assertThat(answer.status()).isEqualTo(200);
    } else {
      assertSafe(answer, request);
    }
    if (answer.status() < 300) {
      account(target, body, answer);
    }
    return answer;
  }

  /** What a success changed: a user, a session, or a session ended that the next try needs. */
  private static void account(Target target, byte[] body, Answer answer) throws Exception {
    String key = target.endpoint().key();
    successes.merge(key, 1, Integer::sum);
    switch (key) {
      case "POST /api/auth/signup" -> {
        usersCreated++;
        sessionsStarted++;
        assertThat(
                platform
                    .send(
                        "GET", "/api/me", null, null, Map.of("Cookie", SecureServer.cookie(answer)))
                    .status())
            .as("the new user is complete and signed in")
            .isEqualTo(200);
      }
      case "POST /api/auth/login" -> sessionsStarted++;
      case "PUT /api/creators/me/profile" -> {
        if (answer.header("ETag").equals("\"1\"")) {
          profilesCreated++;
        }
      }
      case "POST /api/creators/me/tiers" -> tiersCreated++;
      case "POST /uploads/" -> {
        if (answer.status() == 201) {
          uploadsCreated++;
        }
      }
      case "PUT /api/creators/me/payout-account" -> payoutAccountSet = true;
      case "POST /api/me/password" -> {
        // Only a mutated valid body gets here: the session is new and so is the password.
        Session old = sessions.get(target.who());
        String changed = platform.json.readTree(body).path("newPassword").asText();
        sessions.put(
            target.who(),
            new Session(
                SecureServer.cookie(answer), old.userId(), old.email(), changed, old.role()));
        sessionsStarted++;
      }
      case "POST /api/auth/logout", "DELETE /api/sessions/{id}" -> {
        if (target.who() == Who.FAN || target.who() == Who.CREATOR || target.who() == Who.ADMIN) {
          Session old = sessions.get(target.who());
          if (platform.send("GET", "/api/me", null, old).status() != 200) {
            sessions.put(target.who(), platform.login(old.email(), old.password()));
            sessionsStarted++;
          }
        }
      }
      default -> {}
    }
  }

  private static @Nullable Session session(Who who) {
    return switch (who) {
      case ANONYMOUS -> null;
      case GARBAGE_COOKIE ->
          new Session("odim_session=" + UUID.randomUUID(), UUID.randomUUID(), "", "", "fan");
      default -> sessions.get(who);
    };
  }

  /** Whether the request gets as far as reading its body: a body route the caller may use. */
  private static boolean wholeJson(String body) {
    try {
      // Judged by the server's own mapper, from bytes, the way the server reads a body.
      ServerJson.mapper().readTree(body.getBytes(StandardCharsets.UTF_8));
      return !body.isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean reachesBody(Target target) {
    Endpoint endpoint = target.endpoint();
    if (endpoint.bodyType() == null) {
      return false;
    }
    return switch (endpoint.access()) {
      case Access.Public p -> true;
      case Access.Authenticated a -> sessions.containsKey(target.who());
      case Access.Roles roles ->
          target.who() == Who.ADMIN
              ? roles.roles().contains(Role.ADMIN)
              : sessions.containsKey(target.who())
                  && roles
                      .roles()
                      .contains(Role.fromWireName(target.who().name().toLowerCase(Locale.ROOT)));
      case Access.Owner o -> false;
    };
  }

  private static List<String> fields(Target target) {
    Class<?> type = target.endpoint().bodyType();
    if (type == null || !type.isRecord()) {
      return List.of("email", "amount", "data");
    }
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  private static String manyCookies(Random random) {
    StringBuilder out = new StringBuilder();
    int n = 1 + random.nextInt(300);
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : "; ").append("c").append(i).append('=').append(random.nextInt());
    }
    return out.toString();
  }

  private static String garbage(Random random) {
    byte[] bytes = new byte[1 + random.nextInt(200)];
    random.nextBytes(bytes);
    return switch (random.nextInt(3)) {
      case 0 -> Base64.getEncoder().encodeToString(bytes);
      case 1 -> Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "%%;=,\"";
      default -> "' OR '1'='1 ${jndi:ldap://x} ../..";
    };
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.OdimServer;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A creator's payout bank account: registered with Paystack as a transfer recipient before it is
 * stored, stored only encrypted, shown by its last four digits, refused whole when invalid or when
 * Paystack is down, and only ever the creator's own.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayoutAccountTest {
  private static final String PATH = "/api/creators/me/payout-account";
  private static final String NUMBER = "3071946285";
  private static final String HOLDER = "Chiamaka Eze-Okonkwo";

  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  private static Map<String, Object> account(String bankCode, String number, String name) {
    Map<String, Object> body = new HashMap<>();
    body.put("bankCode", bankCode);
    body.put("accountNumber", number);
    body.put("accountName", name);
    return body;
  }

  private long count(String sql, Object... binds) {
    return platform
        .server
        .db()
        .withHandle(
            h -> {
              var query = h.createQuery(sql);
              for (int i = 0; i < binds.length; i++) {
                query.bind(i, binds[i]);
              }
              return query.mapTo(Long.class).one();
            });
  }

  private Map<String, Object> stored(Session creator) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery("SELECT * FROM odim_server.payout_accounts WHERE creator_id = :c")
                    .bind("c", creator.userId())
                    .mapToMap()
                    .one());
  }

  @Test
  void aCreatorSetsTheirAccountWhichIsRegisteredWithPaystackAndShownByItsLastFourDigits()
      throws Exception {
    Session creator = platform.signup("creator");
    assertThat(platform.send("GET", PATH, null, creator).status()).isEqualTo(404);

    Answer saved = platform.send("PUT", PATH, account("058", NUMBER, HOLDER), creator);

    assertThat(saved.status()).as(saved.response().body()).isEqualTo(200);
    assertThat(saved.body().get("accountLast4").asText()).isEqualTo("6285");
    assertThat(saved.body().get("bankCode").asText()).isEqualTo("058");
    assertThat(saved.response().body()).doesNotContain(NUMBER);
    Answer read = platform.send("GET", PATH, null, creator);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().get("accountLast4").asText()).isEqualTo("6285");
    assertThat(read.body().get("accountName").asText()).isEqualTo(HOLDER);
    assertThat(read.response().body()).doesNotContain(NUMBER);

    // Paystack knows the recipient the row names, with the whole account.
    Map<String, Object> row = stored(creator);
    String recipient = (String) row.get("recipient_code");
    Answer atPaystack =
        platform.send(
            "GET",
            "/sim/paystack/transferrecipient/" + recipient,
            null,
            null,
            Map.of("Authorization", "Bearer " + OdimServer.SIMULATOR_SECRET_KEY));
    assertThat(atPaystack.status()).isEqualTo(200);
    assertThat(atPaystack.body().at("/data/details/account_number").asText()).isEqualTo(NUMBER);
    assertThat(atPaystack.body().at("/data/type").asText()).isEqualTo("nuban");
    assertThat(atPaystack.body().at("/data/currency").asText()).isEqualTo("NGN");

    // The raw columns hold ciphertext, not the number or the name.
    assertThat((String) row.get("account_number_encrypted")).isNotBlank().doesNotContain(NUMBER);
    assertThat((String) row.get("account_name_encrypted")).isNotBlank().doesNotContain("Chiamaka");

    // A replacement is a new recipient and a second audit entry; neither entry has the number.
    Answer replaced = platform.send("PUT", PATH, account("044", "0690000031", HOLDER), creator);
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(stored(creator).get("version")).isEqualTo(2);
    assertThat(stored(creator).get("recipient_code")).isNotEqualTo(recipient);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log"
                    + " WHERE action = 'creator.payout_account.changed' AND actor = ?"
                    + " AND summary NOT LIKE ? AND details::text NOT LIKE ?"
                    + " AND summary NOT LIKE '%0690000031%' AND details::text NOT LIKE '%0690000031%'",
                "user:" + creator.userId(), "%" + NUMBER + "%", "%" + NUMBER + "%"))
        .isEqualTo(2);
  }

  @Test
  void theAccountNumberAndHolderAreNowhereInClearInTheDatabase() throws Exception {
    Session creator = platform.signup("creator");
    String number = "8806142397";
    String holder = "Oluwaseun Adebayo-Whitfield";
    assertThat(
            platform
                .send(
                    "PUT",
                    PATH,
                    account("058", number, holder),
                    creator,
                    Map.of("Idempotency-Key", UUID.randomUUID().toString()))
                .status())
        .isEqualTo(200);

    String dump = DatabaseDump.everything(platform.server.db()).toLowerCase(Locale.ROOT);

    assertThat(dump).contains("odim_server.payout_accounts");
    for (String secret : List.of(number, holder, "Adebayo-Whitfield")) {
      assertThat(dump).as(secret).doesNotContain(secret.toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void invalidDetailsAreRefusedWithTheFieldsNamedAndWriteNothing() throws Exception {
    Session creator = platform.signup("creator");
    long audit = count("SELECT count(*) FROM odim_audit.audit_log");
    List<Map<String, Object>> invalid =
        List.of(
            account("058", "12345", HOLDER),
            account("058", "12345678901", HOLDER),
            account("058", "30719462a5", HOLDER),
            account("GTB", NUMBER, HOLDER),
            account("05", NUMBER, HOLDER),
            account("058", NUMBER, ""),
            account("058", NUMBER, "Ada\u0000Lovelace"));
    for (Map<String, Object> body : invalid) {
      Answer refused = platform.send("PUT", PATH, body, creator);
      assertThat(refused.status()).as("%s", body).isEqualTo(400);
      assertThat(refused.code()).isEqualTo("validation_failed");
      assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
      assertThat(refused.body().get("errors")).isNotEmpty();
    }
    Answer numberAsNumber =
        platform.send(
            "PUT",
            PATH,
            "{\"bankCode\":\"058\",\"accountNumber\":3071946285,\"accountName\":\"A\"}",
            creator);
    assertThat(numberAsNumber.status()).isEqualTo(400);

    assertThat(
            count(
                "SELECT count(*) FROM odim_server.payout_accounts WHERE creator_id = ?",
                creator.userId()))
        .isZero();
    assertThat(count("SELECT count(*) FROM odim_audit.audit_log")).isEqualTo(audit);
  }

  @Test
  void whilePaystackIsDownTheChangeIsRefusedRetryablyAndNothingIsStored() throws Exception {
    Session creator = platform.signup("creator");
    assertThat(
            platform
                .send("POST", "/sim/paystack/_control/faults", Map.of("outage", true), null)
                .status())
        .isEqualTo(200);
    try {
      Answer refused = platform.send("PUT", PATH, account("058", NUMBER, HOLDER), creator);

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.code()).isEqualTo("provider_unavailable");
      assertThat(refused.header("Retry-After")).isNotNull();
    } finally {
      platform.send("POST", "/sim/paystack/_control/faults", Map.of("outage", false), null);
    }
    assertThat(
            count(
                "SELECT count(*) FROM odim_server.payout_accounts WHERE creator_id = ?",
                creator.userId()))
        .isZero();
  }

  @Test
  void onlyCreatorsHaveAPayoutAccountAndEachSeesOnlyTheirOwn() throws Exception {
    Session fan = platform.signup("fan");
    assertThat(platform.send("PUT", PATH, account("058", NUMBER, HOLDER), fan).status())
        .isEqualTo(403);
    assertThat(platform.send("GET", PATH, null, fan).status()).isEqualTo(403);
    assertThat(platform.send("GET", PATH, null, null).status()).isEqualTo(401);

    Session one = platform.signup("creator");
    Session two = platform.signup("creator");
    platform.send("PUT", PATH, account("058", "1111111111", "One"), one);
    assertThat(platform.send("GET", PATH, null, two).status()).isEqualTo(404);
    assertThat(platform.send("GET", PATH, null, one).body().get("accountLast4").asText())
        .isEqualTo("1111");
  }
}

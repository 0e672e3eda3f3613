package dev.odim.webhooks;

import static dev.odim.webhooks.PaystackDeliveries.chargeSuccess;
import static dev.odim.webhooks.PaystackDeliveries.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.core.http.HttpResponse;
import dev.odim.queue.JobQueue;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TcpProxy;
import dev.odim.testkit.TestDatabase;
import dev.odim.webhooks.provider.Paystack;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database goes away while a delivery arrives: the delivery is not acknowledged, nothing of it
 * is written, and the provider's retry after the database is back is stored once.
 */
@ExtendWith(PostgresExtension.class)
class DatabaseOutageTest {

  @Test
  void aDeliveryDuringAnOutageIsRefusedWithoutAPartialWriteAndItsRetryIsStored(
      TestDatabase database) throws Exception {
    URI direct = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    try (TcpProxy proxy = TcpProxy.to(direct.getHost(), direct.getPort());
        Db counting = Db.builder(database.jdbcUrlWithCredentials()).build();
        Db db =
            Db.builder(
                    database
                        .jdbcUrlWithCredentials()
                        .replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/"))
                .connectionTimeout(Duration.ofMillis(500))
                .build()) {
      PostgresBackend backend = PostgresBackend.builder(db).schema("outage_queue").build();
      JobQueue queue = JobQueue.builder(backend).build();
      try (Webhooks webhooks =
          Webhooks.builder(db, queue)
              .schema("outage_hooks")
              .provider(Paystack.withSecrets(SigningSecrets.of(PaystackDeliveries.SECRET)))
              .on("paystack", "charge.success", (event, handle) -> {})
              .build()) {
        WebhookEndpoint endpoint = webhooks.endpoint("paystack");
        String body = chargeSuccess(42, "ref-outage");

        proxy.cut();
        HttpResponse during = endpoint.handle(signed(body));

        assertThat(during.status()).isEqualTo(503);
        assertThat(during.header("Retry-After")).isNotNull();
        assertThat(during.bodyText()).contains("inbox_unavailable").doesNotContain("Exception");
        assertThat(rows(counting, "outage_hooks.inbox")).isZero();
        assertThat(rows(counting, "outage_queue.jobs")).isZero();

        proxy.restore();
        // as Paystack does: deliver again until answered 200 (the pool may first hand out a
        // connection that died in the outage; that attempt is refused and writes nothing too)
        AtomicReference<HttpResponse> answer = new AtomicReference<>();
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  answer.set(endpoint.handle(signed(body)));
                  return answer.get().status() == 200;
                });
        HttpResponse retry = answer.get();

        assertThat(retry.bodyText()).contains("\"duplicate\":false");
        assertThat(rows(counting, "outage_hooks.inbox")).isEqualTo(1);
        assertThat(rows(counting, "outage_queue.jobs")).isEqualTo(1);
      } finally {
        backend.close();
      }
    }
  }

  private static long rows(Db db, String table) {
    return db.inTransaction(
        h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }
}

package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.OdimServer;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without a Paystack key the server runs the simulator at /sim/paystack; with one, it does not. */
@ExtendWith(PostgresExtension.class)
class SimulatorRouteTest {

  @Test
  void theSimulatorIsMountedOnlyWithoutARealKey(TestDatabase database) throws Exception {
    try (SecureServer platform = new SecureServer(database)) {
      Answer initialized =
          platform.send(
              "POST",
              "/sim/paystack/transaction/initialize",
              Map.of("email", "fan@odim.test", "amount", 500000, "reference", "route-test-1"),
              null,
              Map.of("Authorization", "Bearer " + OdimServer.SIMULATOR_SECRET_KEY));
      assertThat(initialized.status()).isEqualTo(200);
      assertThat(initialized.body().get("data").get("authorization_url").asText())
          .contains("/sim/paystack/");
      Answer noKey =
          platform.send("GET", "/sim/paystack/transaction/verify/route-test-1", null, null);
      assertThat(noKey.status()).isEqualTo(401);
    }
    try (SecureServer withKey =
        new SecureServer(database, Map.of("PAYSTACK_SECRET_KEY", "sk_test_real_one"), api -> {})) {
      assertThat(withKey.send("GET", "/sim/paystack/_control/state", null, null).status())
          .isEqualTo(404);
    }
  }
}

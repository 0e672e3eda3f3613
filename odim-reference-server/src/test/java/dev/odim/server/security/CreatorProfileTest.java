package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rich text is sanitised; concurrent edits of one profile cannot overwrite each other. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreatorProfileTest {
  private static final String HOSTILE_BIO =
      "<p>Hi <b>fans</b>!</p><script>alert(1)</script><img src=x onerror=alert(2)>"
          + "<a href=\"javascript:alert(3)\">click</a> <a href=\"https://shop.example\">shop</a>"
          + "<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>";

  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  private Answer put(Session creator, Map<String, String> body, Map<String, String> headers)
      throws Exception {
    return platform.send("PUT", "/api/creators/me/profile", body, creator, headers);
  }

  @Test
  void aBioKeepsItsFormattingAndLosesEverythingThatCouldRun() throws Exception {
    Session creator = platform.signup("creator");

    Answer saved =
        put(
            creator,
            Map.of("handle", "ada_makes", "displayName", "Ada <Makes>", "bio", HOSTILE_BIO),
            Map.of("If-None-Match", "*"));

    assertThat(saved.status()).isEqualTo(200);
    assertThat(saved.header("ETag")).isEqualTo("\"1\"");
    String stored =
        platform
            .server
            .db()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT bio_html FROM odim_server.creator_profiles WHERE handle = 'ada_makes'")
                        .mapTo(String.class)
                        .one());
    Answer publicView = platform.send("GET", "/api/creators/ada_makes", null, null);
    for (String bio : List.of(stored, publicView.body().get("bio").asText())) {
      assertThat(bio)
          .contains("<b>fans</b>", "https://shop.example", "nofollow")
          .doesNotContain("<script", "onerror", "javascript:", "<iframe", "<style", "alert(1)");
    }
    // Plain-text fields are not HTML: kept as typed, escaped by whoever renders them.
    assertThat(publicView.body().get("displayName").asText()).isEqualTo("Ada <Makes>");
  }

  @Test
  void changesNeedTheVersionTheyWereMadeOn() throws Exception {
    Session creator = platform.signup("creator");
    Map<String, String> profile =
        Map.of("handle", "grace_codes", "displayName", "Grace", "bio", "");
    assertThat(put(creator, profile, Map.of("If-None-Match", "*")).status()).isEqualTo(200);

    Answer blind = put(creator, profile, Map.of());
    Answer stale = put(creator, profile, Map.of("If-Match", "\"7\""));
    Answer current = put(creator, profile, Map.of("If-Match", "\"1\""));
    Answer createAgain = put(creator, profile, Map.of("If-None-Match", "*"));

    assertThat(blind.status()).isEqualTo(428);
    assertThat(blind.code()).isEqualTo("precondition_required");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(current.status()).isEqualTo(200);
    assertThat(current.header("ETag")).isEqualTo("\"2\"");
    assertThat(createAgain.status()).isEqualTo(412);
  }

  @Test
  void ofConcurrentChangesOnOneVersionExactlyOneWins() throws Exception {
    Session creator = platform.signup("creator");
    put(
        creator,
        Map.of("handle", "race_me", "displayName", "Race", "bio", "v1"),
        Map.of("If-None-Match", "*"));
    int writers = 8;
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      String bio = "written by " + i;
      tasks.add(
          () ->
              put(
                      creator,
                      Map.of("handle", "race_me", "displayName", "Race", "bio", bio),
                      Map.of("If-Match", "\"1\""))
                  .status());
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Integer> statuses = new ArrayList<>();
    try {
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        statuses.add(f.get());
      }
    } finally {
      pool.shutdown();
    }

    assertThat(statuses).containsOnly(200, 412);
    assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
    int version =
        platform
            .server
            .db()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT version FROM odim_server.creator_profiles WHERE handle = 'race_me'")
                        .mapTo(Integer.class)
                        .one());
    assertThat(version).isEqualTo(2);
  }

  @Test
  void aHandleBelongsToOneCreator() throws Exception {
    Session first = platform.signup("creator");
    Session second = platform.signup("creator");
    Map<String, String> profile = Map.of("handle", "only_one", "displayName", "One", "bio", "");
    assertThat(put(first, profile, Map.of("If-None-Match", "*")).status()).isEqualTo(200);

    Answer taken = put(second, profile, Map.of("If-None-Match", "*"));

    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.code()).isEqualTo("handle_taken");
    assertThat(platform.send("GET", "/api/creators/me/profile", null, second).status())
        .isEqualTo(404);
  }
}

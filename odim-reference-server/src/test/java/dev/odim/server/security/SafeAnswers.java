package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.Problems;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.security.SecureServer.Answer;
import java.util.List;
import java.util.Set;

/** What every answer to hostile input must be: no 5xx, a problem with a code, nothing internal. */
final class SafeAnswers {
  /** Words that only a stack trace, a driver error or a query would put into an answer. */
  static final List<String> LEAKS =
      List.of("Exception", " at dev.", "\tat ", "SQL", "org.postgresql", "jdbi", "Jdbi");

  /**
   * What Jetty refuses while parsing, before any route or filter of the server runs: a URI or
   * header block too long, a path with an encoded NUL or an ambiguous segment. Jetty's own error
   * page answers those (HTML, no stack trace) until {@code OdimServer} installs {@link
   * dev.odim.server.internal.JettyProblems}; then drop this exception and require problem+json here
   * too.
   */
  static final Set<Integer> PARSER_REFUSALS = Set.of(400, 413, 414, 431);

  private SafeAnswers() {}

  /**
   * Asserts {@code answer} is below 500, an error is a problem with a code, and nothing leaks. A
   * success may have no body (tus: 201, 204, HEAD); an error to HEAD has a problem's type but no
   * body.
   */
  static void assertSafe(Answer answer, String request) {
    String body = answer.response().body();
    assertThat(answer.status()).as("status of %s; body %s", request, body).isLessThan(500);
    assertNoLeak(body, request);
    if (answer.status() < 400) {
      return;
    }
    if (refusedBeforeRouting(answer)) {
      assertThat(answer.status())
          .as("Jetty's refusal of %s: %s", request, body)
          .isIn(PARSER_REFUSALS);
      if (body.isEmpty()) {
        // Jetty's parser refuses some requests (431: header block too large) with a bare status
        // line, before any handler could write a problem; there is nothing in it to leak.
        return;
      }
    }
    assertThat(answer.header("Content-Type"))
        .as("Content-Type of the %d to %s: %s", answer.status(), request, body)
        .isEqualTo(Problems.CONTENT_TYPE);
    if (answer.response().request().method().equals("HEAD")) {
      // An answer to HEAD has no body (RFC 9110): its type says it is a problem, and that is all.
      assertThat(body).as("body of the %d to %s", answer.status(), request).isEmpty();
      return;
    }
    assertThat(answer.code()).as("code of the %d to %s", answer.status(), request).isNotBlank();
    assertThat(answer.body().path("detail").asText())
        .as("human message of the %d to %s", answer.status(), request)
        .isNotBlank();
  }

  /**
   * Whether Jetty answered before the server's first filter ran (which gives every request an id):
   * the request never reached a route, a session lookup or the database.
   */
  static boolean refusedBeforeRouting(Answer answer) {
    return answer.header(RequestIds.HEADER) == null;
  }

  static void assertNoLeak(String body, String request) {
    for (String leak : LEAKS) {
      assertThat(body).as("answer to %s", request).doesNotContain(leak);
    }
  }
}

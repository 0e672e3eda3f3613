package dev.odim.server.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.openapi.ApiPage;
import dev.odim.server.internal.openapi.OpenApiDocument;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Endpoint;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiPageTest {
  private final ApiPage page =
      new ApiPage(OpenApiDocument.build(SampleApi.ALL, SampleApi.mapper(), "1.2.3"));

  @Test
  void showsEveryRouteWithWhoMayCallItItsBodyAndItsResponses() {
    String html = page.render("n0nce");

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<title>Odim reference server API 1.2.3</title>")
        .contains("<h2 id=\"tag-auth\">auth</h2>")
        .contains("<span class=\"method post\">POST</span> <span class=\"path\">/api/auth/signup")
        .contains("<p>Create an account</p>")
        .contains("<strong>Who may call it:</strong> public")
        .contains("<strong>Who may call it:</strong> any signed-in user")
        .contains("<strong>Who may call it:</strong> the owner of the resource")
        .contains("<strong>Who may call it:</strong> role [admin, creator]")
        .contains("at most 8192 bytes): <a href=\"#schema-Signup\">Signup</a>")
        .contains("<span class=\"path\">/api/files/{path}</span>");
    // Body fields with their constraints in words.
    assertThat(html)
        .contains(
            "<td><code>email</code></td>\n<td>string (email)</td>\n<td>yes</td>\n"
                + "<td>length 1 to 254; not blank</td>")
        .contains("<td><code>bio</code></td>\n<td>string or null</td>\n<td>no</td>")
        .contains("<td>integer (int32)</td>\n<td>yes</td>\n<td>value 13 to 150</td>")
        .contains("<td>integer (int64)</td>\n<td>yes</td>\n<td>greater than 0</td>")
        .contains("<td>one of FAN, CREATOR, ADMIN</td>")
        .contains(
            "<td>list of string</td>\n<td>yes</td>\n"
                + "<td>items 1 to 3; each: length 1 to 20, not blank</td>")
        .contains("<td><a href=\"#schema-Address\">Address</a></td>")
        .contains("matches [A-Z]+ (the whole value)")
        .contains("<td>set of string (uuid)</td>");
    // Responses, problems by code.
    assertThat(html)
        .contains("<td>201</td>")
        .contains("<a href=\"#schema-UserView\">UserView</a>")
        .contains("problem: <code>unauthenticated</code> <code>session_expired</code>")
        .contains("<code>validation_failed</code> <code>invalid_json</code>")
        .contains("<td>429</td>");
    // Every schema has its section.
    assertThat(html)
        .contains("<article id=\"schema-Problem\">")
        .contains("<article id=\"schema-SessionView\">");
  }

  @Test
  void hasNoScriptAndItsOnlyStyleCarriesTheNonce() {
    String html = page.render("n0nce");

    assertThat(html).doesNotContain("<script").doesNotContain(" style=");
    assertThat(html.split("<style", -1)).hasSize(2);
    assertThat(html).contains("<style nonce=\"n0nce\">");
  }

  @Test
  void escapesWhatItShows() {
    Endpoint hostile =
        new Endpoint(
            HandlerType.GET,
            "/api/x/{id}",
            "<script>alert(1)</script> & \"quotes\"",
            "<b>tag</b>",
            Access.authenticated(),
            null,
            Endpoint.DEFAULT_MAX_BODY_BYTES,
            200,
            null,
            dev.odim.server.internal.web.Idempotency.NONE);
    List<Endpoint> endpoints = new ArrayList<>(SampleApi.ALL);
    endpoints.add(hostile);

    String html = ApiPage.render(endpoints, "\"><script>alert(2)</script>");

    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("<b>tag</b>")
        .contains("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\"</p>")
        .contains("<h2 id=\"tag-&lt;b>tag&lt;/b>\">&lt;b&gt;tag&lt;/b&gt;</h2>")
        // Inside a quoted attribute only the quote and '<' need escaping; jte leaves '>' be.
        .contains("<style nonce=\"&#34;>&lt;script>alert(2)&lt;/script>\">");
  }
}

package dev.odim.testkit.paystack.internal;

import dev.odim.testkit.paystack.SimulatorResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The hosted checkout page a customer is sent to by {@code authorization_url}: the amount, who
 * pays, and two buttons, Pay and Fail, that post back to the same address. Every value on the page
 * is HTML-escaped; the page has no script, and forbids any by its Content-Security-Policy.
 */
final class CheckoutPage {
  private static final Map<String, String> HEADERS =
      Map.of(
          "Content-Type", "text/html; charset=utf-8",
          "Cache-Control", "no-store",
          "Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:;"
                  + " frame-ancestors 'none'",
          "X-Content-Type-Options", "nosniff",
          "Referrer-Policy", "no-referrer");

  private CheckoutPage() {}

  static SimulatorResponse form(
      String reference, String email, long amount, String currency, String status) {
    String amountText = currency + " " + (amount / 100) + "." + String.format("%02d", amount % 100);
    StringBuilder body = new StringBuilder();
    body.append("<h1>Paystack simulator checkout</h1>")
        .append("<p class=\"amount\">")
        .append(escape(amountText))
        .append("</p><p>")
        .append(escape(email))
        .append("</p><p>Reference <code>")
        .append(escape(reference))
        .append("</code></p>");
    if ("ongoing".equals(status)) {
      body.append(button("success", "Pay", "pay"))
          .append(button("failed", "Fail", "fail"))
          .append(button("abandoned", "Cancel", "cancel"));
    } else {
      body.append("<p>This transaction is already <strong>")
          .append(escape(status))
          .append("</strong>.</p>");
    }
    return page(200, "Pay " + amountText, body.toString());
  }

  static SimulatorResponse result(String reference, String status) {
    return page(
        200,
        "Payment " + status,
        "<h1>Payment "
            + escape(status)
            + "</h1><p>Reference <code>"
            + escape(reference)
            + "</code>. There is no callback URL to return to; you can close this page.</p>");
  }

  static SimulatorResponse notFound() {
    return page(404, "Not found", "<h1>No such checkout</h1><p>The link is wrong or expired.</p>");
  }

  static SimulatorResponse unavailable() {
    return page(503, "Unavailable", "<h1>Service unavailable</h1><p>Try again shortly.</p>");
  }

  static SimulatorResponse redirect(String location) {
    return new SimulatorResponse(
        303, Map.of("Location", location, "Cache-Control", "no-store"), new byte[0]);
  }

  private static String button(String outcome, String label, String cssClass) {
    return "<form method=\"post\"><input type=\"hidden\" name=\"outcome\" value=\""
        + outcome
        + "\"><button type=\"submit\" class=\""
        + cssClass
        + "\">"
        + label
        + "</button></form>";
  }

  private static SimulatorResponse page(int status, String title, String body) {
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>"
            + escape(title)
            + "</title><style>body{font-family:system-ui,sans-serif;max-width:28rem;"
            + "margin:3rem auto;padding:0 1rem}.amount{font-size:2rem;font-weight:600}"
            + "form{display:inline-block;margin-right:.5rem}button{font-size:1rem;"
            + "padding:.6rem 1.4rem;cursor:pointer}.pay{background:#0a7d3b;color:#fff;border:0}"
            + "</style></head><body>"
            + body
            + "</body></html>";
    return new SimulatorResponse(status, HEADERS, html.getBytes(StandardCharsets.UTF_8));
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}

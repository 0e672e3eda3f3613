package dev.odim.server.internal.creator;

import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;
import org.owasp.html.Sanitizers;

/**
 * The rich text creators may write (bios): paragraphs, emphasis, lists, quotes and links to http,
 * https and mailto addresses; links get {@code rel="nofollow noopener noreferrer"}. Everything else
 * — scripts, styles, event handlers, {@code javascript:} URLs, iframes, forms — is removed by the
 * OWASP Java HTML Sanitizer, whose policies are built for exactly this and kept up to date.
 */
public final class RichText {
  private static final PolicyFactory POLICY =
      Sanitizers.FORMATTING
          .and(Sanitizers.BLOCKS)
          .and(
              new HtmlPolicyBuilder()
                  .allowElements("a", "ul", "ol", "li", "br")
                  .allowUrlProtocols("http", "https", "mailto")
                  .allowAttributes("href")
                  .onElements("a")
                  .requireRelsOnLinks("nofollow", "noopener", "noreferrer")
                  .toFactory());

  private RichText() {}

  /** The safe part of {@code html}. Idempotent: sanitising a sanitised text changes nothing. */
  public static String sanitize(String html) {
    return POLICY.sanitize(html);
  }
}

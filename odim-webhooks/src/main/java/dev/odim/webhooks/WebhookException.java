package dev.odim.webhooks;

import dev.odim.core.OdimException;

/** The root of odim-webhooks' exceptions: broken infrastructure or misuse, never bad input. */
public class WebhookException extends OdimException {
  private static final long serialVersionUID = 1L;

  public WebhookException(String message) {
    super(message);
  }

  public WebhookException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.odim.payments.paystack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.Money;
import dev.odim.payments.paystack.PaystackResponseException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import org.jspecify.annotations.Nullable;

/**
 * Reads fields out of one Paystack answer, naming the field's path and the HTTP status when a
 * required field is missing or of the wrong type.
 */
public final class Reader {
  private final int status;

  public Reader(int status) {
    this.status = status;
  }

  public PaystackResponseException malformed(String path, String problem) {
    return new PaystackResponseException(status, path + " " + problem);
  }

  public JsonNode object(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    if (node == null || !node.isObject()) {
      throw malformed(
          path + field, node == null || node.isNull() ? "is missing" : "is not an object");
    }
    return node;
  }

  public @Nullable JsonNode optionalObject(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    return node != null && node.isObject() && !node.isEmpty() ? node : null;
  }

  public JsonNode array(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    if (node == null || !node.isArray()) {
      throw malformed(
          path + field, node == null || node.isNull() ? "is missing" : "is not an array");
    }
    return node;
  }

  public String text(JsonNode parent, String path, String field) {
    String value = optionalText(parent, path, field);
    if (value == null) {
      throw malformed(path + field, "is missing");
    }
    return value;
  }

  public @Nullable String optionalText(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      throw malformed(path + field, "is not a string");
    }
    return node.asText();
  }

  public long integer(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw malformed(path + field, "is missing");
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isTextual() && node.asText().matches("-?[0-9]{1,18}")) {
      return Long.parseLong(node.asText());
    }
    throw malformed(path + field, "is not a whole number: " + node);
  }

  public @Nullable Long optionalInteger(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    return node == null || node.isNull() ? null : integer(parent, path, field);
  }

  public boolean bool(JsonNode parent, String path, String field) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw malformed(path + field, "is not true or false");
    }
    return node.booleanValue();
  }

  public @Nullable Instant optionalInstant(JsonNode parent, String path, String field) {
    String text = optionalText(parent, path, field);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw malformed(path + field, "is not an ISO instant: " + text);
    }
  }

  public Currency currency(JsonNode parent, String path, String field) {
    String code = text(parent, path, field);
    try {
      return Currency.getInstance(code);
    } catch (IllegalArgumentException e) {
      throw malformed(path + field, "is not a currency code: " + code);
    }
  }

  public Money money(JsonNode parent, String path, String field, Currency currency) {
    return Money.of(integer(parent, path, field), currency);
  }
}

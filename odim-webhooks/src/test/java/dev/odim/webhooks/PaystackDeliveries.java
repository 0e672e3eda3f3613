package dev.odim.webhooks;

import dev.odim.core.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signed Paystack deliveries for tests, signed here independently of the provider's code. */
final class PaystackDeliveries {
  static final String SECRET = "sk_test_webhooks";

  private PaystackDeliveries() {}

  static String chargeSuccess(long id, String reference) {
    return "{\"event\":\"charge.success\",\"data\":{\"id\":"
        + id
        + ",\"status\":\"success\",\"reference\":\""
        + reference
        + "\",\"amount\":500000,\"currency\":\"NGN\"}}";
  }

  static String transfer(String event, long id, String reference) {
    String status = event.substring("transfer.".length());
    return "{\"event\":\""
        + event
        + "\",\"data\":{\"id\":"
        + id
        + ",\"status\":\""
        + status
        + "\",\"reference\":\""
        + reference
        + "\",\"transfer_code\":\"TRF_"
        + id
        + "\",\"amount\":100000,\"currency\":\"NGN\"}}";
  }

  static String refund(String event, long refundId, String paymentReference) {
    return "{\"event\":\""
        + event
        + "\",\"data\":{\"id\":"
        + refundId
        + ",\"status\":\""
        + event.substring("refund.".length())
        + "\",\"transaction_reference\":\""
        + paymentReference
        + "\",\"amount\":10000,\"currency\":\"NGN\"}}";
  }

  static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest signed(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return request(bytes, sign(SECRET, bytes), "application/json");
  }

  static HttpRequest request(byte[] body, String signature, String contentType) {
    return HttpRequest.of(
        "POST",
        "/webhooks/paystack",
        Map.of(
            "Content-Type", List.of(contentType),
            "X-Paystack-Signature", List.of(signature),
            "Content-Length", List.of(Integer.toString(body.length))),
        body,
        "52.31.139.75");
  }
}

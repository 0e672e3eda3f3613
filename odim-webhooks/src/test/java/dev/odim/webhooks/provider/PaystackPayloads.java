package dev.odim.webhooks.provider;

import java.util.Map;

/**
 * Paystack's sample webhook bodies for the events the platform handles, trimmed of fields that play
 * no part in keys (customer, authorization, log, recipient details). Shapes and values are those of
 * Paystack's published samples (paystack.com/docs/payments/webhooks, whose snippets live in the
 * PaystackOSS/doc-code-snippets repository).
 */
final class PaystackPayloads {
  private PaystackPayloads() {}

  private static final Map<String, String> BY_TYPE =
      Map.ofEntries(
          Map.entry(
              "charge.success",
              """
              {"event":"charge.success","data":{"id":302961,"domain":"live","status":"success",\
              "reference":"qTPrJoy9Bx","amount":10000,"message":null,\
              "gateway_response":"Approved by Financial Institution",\
              "paid_at":"2016-09-30T21:10:19.000Z","created_at":"2016-09-30T21:09:56.000Z",\
              "channel":"card","currency":"NGN","ip_address":"41.242.49.37","metadata":0,\
              "fees":null,"customer":{"id":68324,"customer_code":"CUS_qo38as2hpsgk2r0"},"plan":{}}}"""),
          Map.entry(
              "transfer.success",
              """
              {"event":"transfer.success","data":{"amount":30000,"currency":"NGN","domain":"test",\
              "failures":null,"id":37272792,"integration":{"id":463433,"is_live":true},\
              "reason":"Have fun...","reference":"1jhbs3ozmen0k7y5efmw","source":"balance",\
              "source_details":null,"status":"success","titan_code":null,\
              "transfer_code":"TRF_wpl1dem4967avzm","transferred_at":null,\
              "recipient":{"recipient_code":"RCP_a8wkxiychzdzfgs","type":"nuban"},\
              "session":{"provider":null,"id":null},"created_at":"2020-10-26T12:28:57.000Z"}}"""),
          Map.entry(
              "transfer.failed",
              """
              {"event":"transfer.failed","data":{"amount":200000,"currency":"NGN","domain":"test",\
              "failures":null,"id":69123462,"reason":"Enjoy","reference":"1976435206",\
              "source":"balance","status":"failed","transfer_code":"TRF_chs98y5rykjb47w",\
              "transferred_at":null,"session":{"provider":"nip","id":"74849400998877667"}}}"""),
          Map.entry(
              "transfer.reversed",
              """
              {"event":"transfer.reversed","data":{"amount":10000,"currency":"NGN","domain":"live",\
              "failures":null,"id":20615868,"reference":"jvrjckwenm","source":"balance",\
              "status":"reversed","transfer_code":"TRF_js075pj9u07f34l",\
              "transferred_at":"2020-03-24T07:14:00.000Z"}}"""),
          Map.entry(
              "refund.processed",
              """
              {"event":"refund.processed","data":{"status":"processed",\
              "transaction_reference":"T2154954_412829_3be32076_6lcg3",\
              "refund_reference":"132013318360","amount":"5000","currency":"NGN",\
              "processor":"mpgs_zen","integration":412829,"domain":"live"}}"""),
          Map.entry(
              "refund.failed",
              """
              {"event":"refund.failed","data":{"status":"failed",\
              "transaction_reference":"T9171231_412325_3be2736c_n6tml",\
              "refund_reference":"TRF_9vgfawjnoz58uxy","amount":20000,"currency":"NGN",\
              "processor":"instant-transfer","integration":412325,"domain":"live"}}"""),
          Map.entry(
              "charge.dispute.create",
              """
              {"event":"charge.dispute.create","data":{"id":358950,"refund_amount":5800,\
              "currency":"NGN","status":"awaiting-merchant-feedback","resolution":null,\
              "domain":"live","transaction":{"id":896467688,"status":"success",\
              "reference":"v3mjfgbnc19v97x","amount":5800},"transaction_reference":null,\
              "category":"chargeback","dueAt":"2020-11-25T18:00:00.000Z","resolvedAt":null}}"""),
          Map.entry(
              "charge.dispute.resolve",
              """
              {"event":"charge.dispute.resolve","data":{"id":358949,"refund_amount":5700,\
              "currency":"NGN","status":"resolved","resolution":"auto-accepted","domain":"live",\
              "transaction":{"id":896467592,"status":"reversed","reference":"5qm4pv2mxs9rltp",\
              "amount":5700},"transaction_reference":null,"category":"chargeback",\
              "resolvedAt":"2020-11-24T14:00:02.000Z"}}"""),
          Map.entry(
              "subscription.create",
              """
              {"event":"subscription.create","data":{"domain":"test","status":"active",\
              "subscription_code":"SUB_vsyqdmlzble3uii","amount":50000,\
              "cron_expression":"0 0 28 * *","next_payment_date":"2016-05-19T07:00:00.000Z",\
              "open_invoice":null,"plan":{"plan_code":"PLN_gx2wn530m0i3w3m","amount":50000},\
              "customer":{"customer_code":"CUS_xnxdt6s1zg1f4nx"},\
              "created_at":"2016-10-01T10:59:59.000Z"}}"""),
          Map.entry(
              "subscription.disable",
              """
              {"event":"subscription.disable","data":{"domain":"test","status":"complete",\
              "subscription_code":"SUB_vsyqdmlzble3uii","email_token":"ctt824k16n34u69",\
              "amount":300000,"plan":{"id":67572,"plan_code":"PLN_gx2wn530m0i3w3m"},\
              "customer":{"customer_code":"CUS_xnxdt6s1zg1f4nx"},\
              "created_at":"2020-11-26T14:45:06.000Z"}}"""),
          Map.entry(
              "invoice.payment_failed",
              """
              {"event":"invoice.payment_failed","data":{"domain":"test",\
              "invoice_code":"INV_3kfmqw48ca7b48k","amount":10000,\
              "period_start":"2019-03-25T14:00:00.000Z","status":"pending","paid":false,\
              "paid_at":null,"subscription":{"status":"active",\
              "subscription_code":"SUB_f7ct8g01mtcjf78","open_invoice":"INV_3kfmqw48ca7b48k"},\
              "customer":{"customer_code":"CUS_3p3ylxyf07605kx"},"transaction":{},\
              "created_at":"2019-03-25T14:00:03.000Z"}}"""));

  static String byType(String type) {
    String body = BY_TYPE.get(type);
    if (body == null) {
      throw new IllegalArgumentException("no sample for " + type);
    }
    return body;
  }
}

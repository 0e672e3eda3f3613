package dev.odim.testkit.paystack;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code ./odim simulator [--port 8090] [--host 127.0.0.1] [--webhook-url URL]}: the Paystack
 * simulator on its own. The webhook target also comes from {@code ODIM_SIMULATOR_WEBHOOK_URL}, the
 * secret key from {@code PAYSTACK_SECRET_KEY} (default {@code sk_test_odim_simulator}).
 */
public final class SimulatorMain {
  private SimulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 8090;
    String host = "127.0.0.1";
    String webhookUrl = System.getenv("ODIM_SIMULATOR_WEBHOOK_URL");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (arg) {
        case "--port" -> port = parsePort(value);
        case "--host" -> host = require(arg, value);
        case "--webhook-url" -> webhookUrl = require(arg, value);
        case "-h", "--help" -> usage(0);
        default -> {
          System.err.println("odim simulator: unknown argument " + arg);
          usage(2);
        }
      }
      i++;
    }
    String secret = System.getenv("PAYSTACK_SECRET_KEY");
    PaystackSimulator.Builder builder =
        PaystackSimulator.builder()
            .secretKey(
                secret == null || secret.isBlank() ? PaystackSimulator.DEFAULT_SECRET_KEY : secret);
    if (webhookUrl != null && !webhookUrl.isBlank()) {
      try {
        builder.webhookUrl(URI.create(webhookUrl));
      } catch (IllegalArgumentException e) {
        System.err.println(
            "odim simulator: --webhook-url / ODIM_SIMULATOR_WEBHOOK_URL: " + e.getMessage());
        System.exit(2);
      }
    }
    PaystackSimulator simulator = builder.build().start(new InetSocketAddress(host, port));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                }));
    String base =
        "http://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + simulator.port()
            + PaystackSimulator.DEFAULT_BASE_PATH;
    System.out.println("Paystack simulator on " + base);
    System.out.println(
        "  webhooks to "
            + (webhookUrl == null || webhookUrl.isBlank()
                ? "(none: set --webhook-url)"
                : webhookUrl));
    System.out.println("  control: " + base + "/_control/state, /_control/pay, /_control/faults");
    stopped.await();
  }

  private static int parsePort(@Nullable String value) {
    try {
      int port = Integer.parseInt(require("--port", value));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      System.err.println("odim simulator: --port takes a number from 0 to 65535");
      System.exit(2);
      return -1;
    }
  }

  private static String require(String flag, @Nullable String value) {
    if (value == null) {
      System.err.println("odim simulator: " + flag + " needs a value");
      System.exit(2);
    }
    return value;
  }

  private static void usage(int status) {
    System.err.println(
        "usage: ./odim simulator [--port 8090] [--host 127.0.0.1] [--webhook-url URL]\n"
            + "  PAYSTACK_SECRET_KEY         secret key (default sk_test_odim_simulator)\n"
            + "  ODIM_SIMULATOR_WEBHOOK_URL  where webhooks go (or --webhook-url)");
    System.exit(status);
  }
}

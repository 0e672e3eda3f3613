package dev.odim.testkit.paystack;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A webhook target on the JDK's HTTP server: records every delivery and answers as told. */
final class WebhookReceiver implements AutoCloseable {
  record Received(String body, String signature) {}

  private final HttpServer server;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile IntUnaryOperator status = call -> 200;

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int call = calls.incrementAndGet();
            String signature = exchange.getRequestHeaders().getFirst("x-paystack-signature");
            received.add(new Received(body, signature == null ? "" : signature));
            exchange.sendResponseHeaders(status.applyAsInt(call), -1);
          }
        });
    server.start();
  }

  /** Answers the n-th call (from 1) with {@code status.applyAsInt(n)}. */
  void answer(IntUnaryOperator status) {
    this.status = status;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/paystack");
  }

  /** The next delivery, waiting up to 5 seconds; fails when none comes. */
  Received next() throws InterruptedException {
    Received r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no webhook arrived within 5 s");
    }
    return r;
  }

  /** The next delivery if one comes within {@code millis}, else null. */
  Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package dev.odim.payments.paystack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odim.testkit.paystack.PaystackSimulator;
import dev.odim.testkit.paystack.SimulatorRequest;
import dev.odim.testkit.paystack.SimulatorResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Paystack simulator served by a JDK server of the test's own, which counts the API requests
 * that reach it (control requests aside) and can lose the answers of the next few requests to a
 * path: the simulator does the work, the client gets a 500, as when a connection drops after
 * Paystack acted.
 */
final class SimulatorFront implements AutoCloseable {
  private final PaystackSimulator simulator;
  private final HttpServer server;
  private final AtomicInteger apiRequests = new AtomicInteger();
  private final AtomicInteger answersToLose = new AtomicInteger();
  private volatile String losePath = "";

  SimulatorFront(PaystackSimulator simulator) {
    this.simulator = simulator;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::serve);
    server.start();
  }

  URI baseUri() {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + PaystackSimulator.DEFAULT_BASE_PATH);
  }

  PaystackSimulator simulator() {
    return simulator;
  }

  /** API requests that reached the simulator so far. */
  int apiRequests() {
    return apiRequests.get();
  }

  /**
   * The next {@code count} requests whose path ends with {@code pathSuffix} are done, then lost.
   */
  void loseAnswers(String pathSuffix, int count) {
    losePath = pathSuffix;
    answersToLose.set(count);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      boolean control = path.contains("/_control");
      if (!control) {
        apiRequests.incrementAndGet();
      }
      String query = exchange.getRequestURI().getRawQuery();
      SimulatorResponse answer =
          simulator.handle(
              new SimulatorRequest(
                  exchange.getRequestMethod(),
                  path,
                  query == null ? "" : query,
                  exchange.getRequestHeaders(),
                  exchange.getRequestBody().readAllBytes()));
      if (!control && path.endsWith(losePath) && answersToLose.getAndDecrement() > 0) {
        byte[] lost = "{\"status\":false,\"message\":\"lost\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(500, lost.length);
        exchange.getResponseBody().write(lost);
        return;
      }
      answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      byte[] body = answer.body();
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    simulator.close();
  }
}

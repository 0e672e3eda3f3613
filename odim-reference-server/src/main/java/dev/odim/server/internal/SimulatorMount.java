package dev.odim.server.internal;

import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.testkit.paystack.PaystackSimulator;
import dev.odim.testkit.paystack.SimulatorRequest;
import dev.odim.testkit.paystack.SimulatorResponse;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The built-in Paystack simulator under {@code /sim/paystack} (DESIGN.md), mounted only when no
 * real {@code PAYSTACK_SECRET_KEY} is set. It sends its webhooks to this server's own {@code POST
 * /webhooks/paystack}, so it starts once the server knows its port; until then its routes answer
 * 503.
 */
public final class SimulatorMount implements AutoCloseable {
  /** Where the simulator lives. */
  public static final String BASE_PATH = "/sim/paystack";

  private final AtomicReference<@Nullable PaystackSimulator> simulator = new AtomicReference<>();

  /** Declares the simulator's routes: public, like Paystack's own API behind its secret key. */
  public void register(Api api) {
    String path = BASE_PATH + "/<path>";
    api.get(path)
        .summary("The built-in Paystack simulator (only without PAYSTACK_SECRET_KEY)")
        .tag("simulator")
        .access(Access.PUBLIC)
        .handle(this::serve);
    api.post(path)
        .summary("The built-in Paystack simulator (only without PAYSTACK_SECRET_KEY)")
        .tag("simulator")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .handle(this::serve);
    api.put(path)
        .summary("The built-in Paystack simulator (only without PAYSTACK_SECRET_KEY)")
        .tag("simulator")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .handle(this::serve);
  }

  /** Starts the simulator, its webhooks aimed at this server on {@code port}. */
  public void start(Clock clock, String secretKey, int port) {
    simulator.set(
        PaystackSimulator.builder()
            .secretKey(secretKey)
            .clock(clock)
            .webhookUrl(URI.create("http://127.0.0.1:" + port + "/webhooks/paystack"))
            .build());
  }

  private void serve(Call call) {
    PaystackSimulator running = simulator.get();
    if (running == null) {
      throw ProblemCode.SERVICE_UNAVAILABLE.exception("The Paystack simulator is starting.");
    }
    Context ctx = call.ctx();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(ctx.req().getHeaderNames())) {
      headers.put(name, Collections.list(ctx.req().getHeaders(name)));
    }
    String query = ctx.queryString();
    SimulatorResponse response =
        running.handle(
            new SimulatorRequest(
                ctx.method().name(),
                ctx.path(),
                query == null ? "" : query,
                headers,
                ctx.bodyAsBytes()));
    ctx.status(response.status());
    response.headers().forEach(ctx::header);
    ctx.result(response.body());
  }

  @Override
  public void close() {
    PaystackSimulator running = simulator.getAndSet(null);
    if (running != null) {
      running.close();
    }
  }
}

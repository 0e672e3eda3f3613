package dev.odim.server;

import java.time.Duration;
import java.util.Arrays;

/**
 * Runs {@code Main.serve} in a child process, with one extra route that takes two seconds, so that
 * {@link SigtermTest} can send a real SIGTERM while a request is in flight.
 */
public final class SlowRouteServerMain {
  private SlowRouteServerMain() {}

  public static void main(String[] args) {
    ServerConfig config = ServerConfig.parse(Arrays.asList(args), System.getenv());
    Main.serve(
        config,
        api ->
            new TestRoutes(api)
                .get(
                    "/test/slow",
                    ctx -> {
                      Thread.sleep(Duration.ofSeconds(2));
                      ctx.result("finished");
                    }),
        System.out);
  }
}

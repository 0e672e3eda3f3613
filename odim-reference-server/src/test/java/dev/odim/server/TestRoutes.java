package dev.odim.server;

import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import io.javalin.http.Handler;

/** Public routes that tests add next to the production ones, declared through {@link Api}. */
final class TestRoutes {
  private final Api api;

  TestRoutes(Api api) {
    this.api = api;
  }

  void get(String path, Handler handler) {
    declare(api.get(path), handler);
  }

  void post(String path, Handler handler) {
    declare(api.post(path), handler);
  }

  private static void declare(Api.Route route, Handler handler) {
    route
        .summary("A route of a test")
        .tag("test")
        .access(Access.PUBLIC)
        .handle(call -> handler.handle(call.ctx()));
  }
}

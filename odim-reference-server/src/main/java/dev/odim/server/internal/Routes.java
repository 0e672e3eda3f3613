package dev.odim.server.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The registered route templates, so that a 405 can name the methods a path accepts in its {@code
 * Allow} header. Filled from Javalin's handler-added event, one instance per server.
 */
public final class Routes {
  private static final String ATTRIBUTE = "odim.routes";

  private final Map<String, TreeSet<String>> methodsByTemplate = new ConcurrentHashMap<>();

  /** Records a route as Javalin registers it. */
  public void added(HandlerType method, String template) {
    if (method.isHttpMethod()) {
      methodsByTemplate.computeIfAbsent(template, t -> new TreeSet<>()).add(method.name());
    }
  }

  /** A {@code before} handler that makes this table reachable from the request. */
  public void attach(Context ctx) {
    ctx.attribute(ATTRIBUTE, this);
  }

  /** The methods registered for the request's path, sorted; empty when none or unknown. */
  public static List<String> allowedMethods(Context ctx) {
    Routes routes = ctx.attribute(ATTRIBUTE);
    if (routes == null) {
      return List.of();
    }
    TreeSet<String> methods = new TreeSet<>();
    routes.methodsByTemplate.forEach(
        (template, allowed) -> {
          if (matches(template, ctx.path())) {
            methods.addAll(allowed);
          }
        });
    if (methods.contains("GET")) {
      methods.add("HEAD");
    }
    return List.copyOf(methods);
  }

  private static boolean matches(String template, String path) {
    // Javalin templates: {param}, <param> (may span slashes) and * wildcards.
    String regex =
        Pattern.quote(template)
            .replaceAll("\\{[^}/]*}", "\\\\E[^/]+\\\\Q")
            .replaceAll("<[^>]*>", "\\\\E.+\\\\Q")
            .replace("*", "\\E.*\\Q");
    return path.matches(regex)
        || (path.endsWith("/") && path.substring(0, path.length() - 1).matches(regex));
  }
}

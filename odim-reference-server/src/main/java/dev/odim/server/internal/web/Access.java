package dev.odim.server.internal.web;

import io.javalin.http.Context;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Who may call a route. Every route declares one where it is registered; there is no default.
 *
 * <pre>{@code
 * Access.PUBLIC                                   // anyone, with or without a session
 * Access.authenticated()                          // any signed-in user
 * Access.role(Role.ADMIN)                         // signed in with one of these roles
 * Access.owner(ctx -> sessions.ownerOf(ctx.pathParam("id")))  // signed in and owns the resource
 * }</pre>
 */
public sealed interface Access {
  /** Anyone. A session, when present, is still read so the handler can use it. */
  Access PUBLIC = new Public();

  /** Any signed-in user. */
  static Access authenticated() {
    return new Authenticated();
  }

  /** A signed-in user with one of {@code roles}. */
  static Access role(Role first, Role... more) {
    return new Roles(EnumSet.of(first, more));
  }

  /**
   * A signed-in user who owns the resource the request names. Admins pass too, as support acting
   * for users; what a route changes it audits, with the admin as the actor.
   */
  static Access owner(OwnerLookup lookup) {
    return new Owner(lookup);
  }

  /** Whether {@code principal} may proceed; {@code null} principal means no session. */
  boolean allows(@Nullable Principal principal, Context ctx);

  /** Whether the route needs a session at all; false only for {@link #PUBLIC}. */
  default boolean requiresSession() {
    return true;
  }

  /** A short description for the OpenAPI document and for error messages. */
  String describe();

  /** Finds the owner of the resource a request names; {@code null} when there is no such one. */
  @FunctionalInterface
  interface OwnerLookup {
    @Nullable UUID ownerOf(Context ctx);
  }

  /** See {@link #PUBLIC}. */
  record Public() implements Access {
    @Override
    public boolean allows(@Nullable Principal principal, Context ctx) {
      return true;
    }

    @Override
    public boolean requiresSession() {
      return false;
    }

    @Override
    public String describe() {
      return "public";
    }
  }

  /** See {@link #authenticated()}. */
  record Authenticated() implements Access {
    @Override
    public boolean allows(@Nullable Principal principal, Context ctx) {
      return principal != null;
    }

    @Override
    public String describe() {
      return "any signed-in user";
    }
  }

  /** See {@link #role}. */
  record Roles(Set<Role> roles) implements Access {
    public Roles {
      roles = Set.copyOf(roles);
    }

    @Override
    public boolean allows(@Nullable Principal principal, Context ctx) {
      return principal != null && roles.contains(principal.role());
    }

    @Override
    public String describe() {
      return "role " + roles.stream().map(Role::wireName).sorted().toList();
    }
  }

  /** See {@link #owner}. */
  record Owner(OwnerLookup lookup) implements Access {
    @Override
    public boolean allows(@Nullable Principal principal, Context ctx) {
      if (principal == null) {
        return false;
      }
      if (principal.role() == Role.ADMIN) {
        return true;
      }
      return principal.userId().equals(lookup.ownerOf(ctx));
    }

    @Override
    public String describe() {
      return "the owner of the resource";
    }
  }
}

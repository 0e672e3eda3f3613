package dev.odim.server.openapi;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.server.internal.ServerJson;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.internal.web.Role;
import io.javalin.http.HandlerType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Hand-made routes and records using every constraint the document knows. */
final class SampleApi {
  private SampleApi() {}

  /** A body with each kind of constraint and type. */
  record Signup(
      @NotBlank @Email @Size(max = 254) String email,
      @NotNull @Size(min = 12, max = 128) String password,
      @NotBlank @Pattern(regexp = "[a-z0-9_]{3,20}") String handle,
      @Nullable @Size(max = 500) String bio,
      @NotNull @Min(13) @Max(150) Integer age,
      @Positive long credits,
      @PositiveOrZero int referrals,
      boolean newsletter,
      @NotNull Role role,
      @NotNull @Size(min = 1, max = 3) List<@NotBlank @Size(max = 20) String> interests,
      @NotNull @Valid Address address,
      @NotEmpty Map<String, @NotNull @Positive Integer> limits,
      @NotNull Set<@NotNull UUID> follows,
      @Nullable LocalDate birthday,
      @JsonProperty("referrer_id") @Nullable UUID referrerId,
      @Nullable @Valid List<@NotNull Address> previousAddresses) {}

  /** A nested record, cascaded into with {@code @Valid}. */
  record Address(
      @NotBlank String line1,
      @Nullable String line2,
      @NotBlank @Size(min = 2, max = 2) @Pattern(regexp = "[A-Z]+") String country) {}

  /** A response: non-null components are required, nothing needs validating. */
  record UserView(
      UUID id,
      String email,
      Instant createdAt,
      Role role,
      List<SessionView> sessions,
      @Nullable String bio) {}

  record SessionView(UUID id, Instant expiresAt, @Nullable SessionView replacedBy) {}

  record Rename(@NotBlank @Size(max = 40) String name) {}

  static final Endpoint SIGNUP =
      new Endpoint(
          HandlerType.POST,
          "/api/auth/signup",
          "Create an account",
          "auth",
          Access.PUBLIC,
          Signup.class,
          8 * 1024,
          201,
          UserView.class,
          dev.odim.server.internal.web.Idempotency.NONE);

  static final Endpoint ME =
      new Endpoint(
          HandlerType.GET,
          "/api/me",
          "The signed-in user",
          "account",
          Access.authenticated(),
          null,
          Endpoint.DEFAULT_MAX_BODY_BYTES,
          200,
          UserView.class,
          dev.odim.server.internal.web.Idempotency.NONE);

  static final Endpoint END_SESSION =
      new Endpoint(
          HandlerType.DELETE,
          "/api/me/sessions/{id}",
          "End one of my sessions",
          "account",
          Access.owner(ctx -> null),
          null,
          Endpoint.DEFAULT_MAX_BODY_BYTES,
          204,
          null,
          dev.odim.server.internal.web.Idempotency.NONE);

  static final Endpoint LIST_USERS =
      new Endpoint(
          HandlerType.GET,
          "/api/admin/users/{userId}/sessions",
          "A user's sessions",
          "admin",
          Access.role(Role.ADMIN, Role.CREATOR),
          null,
          Endpoint.DEFAULT_MAX_BODY_BYTES,
          200,
          SessionView.class,
          dev.odim.server.internal.web.Idempotency.NONE);

  static final Endpoint RENAME_FILE =
      new Endpoint(
          HandlerType.PUT,
          "/api/files/<path>",
          "Rename a file",
          "files",
          Access.role(Role.CREATOR),
          Rename.class,
          Endpoint.DEFAULT_MAX_BODY_BYTES,
          200,
          null,
          dev.odim.server.internal.web.Idempotency.NONE);

  static final List<Endpoint> ALL = List.of(SIGNUP, ME, END_SESSION, LIST_USERS, RENAME_FILE);

  /** The server's mapper settings (OdimServer.objectMapper). */
  /** The server's own mapper, so the samples bind exactly as requests do. */
  static ObjectMapper mapper() {
    return ServerJson.mapper();
  }

  /** A route with {@code body} as its body, for the refusals. */
  static Endpoint posting(Class<?> body) {
    return new Endpoint(
        HandlerType.POST,
        "/api/test",
        "Test",
        "test",
        Access.PUBLIC,
        body,
        Endpoint.DEFAULT_MAX_BODY_BYTES,
        200,
        null,
        dev.odim.server.internal.web.Idempotency.NONE);
  }

  /** A route answering with {@code response}. */
  static Endpoint answering(Class<?> response) {
    return new Endpoint(
        HandlerType.GET,
        "/api/test",
        "Test",
        "test",
        Access.PUBLIC,
        null,
        Endpoint.DEFAULT_MAX_BODY_BYTES,
        200,
        response,
        dev.odim.server.internal.web.Idempotency.NONE);
  }
}

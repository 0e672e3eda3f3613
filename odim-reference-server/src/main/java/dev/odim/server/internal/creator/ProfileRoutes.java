package dev.odim.server.internal.creator;

import dev.odim.core.audit.AuditEvent;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.creator.Profiles.Profile;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Role;
import io.javalin.http.Context;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code GET|PUT /api/creators/me/profile} and {@code GET /api/creators/{handle}}. A change names
 * the version it was made on ({@code If-Match} with the ETag of the last read), so two tabs cannot
 * silently overwrite each other; the first save is made with {@code If-None-Match: *}.
 */
public final class ProfileRoutes {
  private final Profiles profiles;

  public ProfileRoutes(Profiles profiles) {
    this.profiles = profiles;
  }

  /** {@code PUT /api/creators/me/profile}. The bio may hold formatting and links; the rest goes. */
  public record ProfileChange(
      @NotNull
          @Pattern(
              regexp = "^[a-z0-9_]{3,30}$",
              message = "must be 3 to 30 lower-case letters, digits or underscores")
          String handle,
      @NotBlank @Size(max = 100) @Pattern(regexp = "^[^\\p{Cntrl}]*$") String displayName,
      @NotNull @Size(max = 5000) String bio) {}

  /** A profile as anyone may see it; {@code bio} is sanitised HTML. */
  public record ProfileView(String handle, String displayName, String bio, int version) {
    static ProfileView of(Profile profile) {
      return new ProfileView(
          profile.handle(),
          profile.displayName(),
          RichText.sanitize(profile.bioHtml()),
          profile.version());
    }
  }

  /** Declares the routes. */
  public void register(Api api) {
    api.get("/api/creators/me/profile")
        .summary("The signed-in creator's profile, with its version as ETag")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .responds(200, ProfileView.class)
        .handle(
            call -> {
              Profile profile =
                  profiles
                      .ofCreator(call.principal().userId())
                      .orElseThrow(
                          () ->
                              ProblemCode.NOT_FOUND.exception(
                                  "You have no profile yet; PUT one with If-None-Match: *."));
              send(call.ctx(), profile);
            });
    api.put("/api/creators/me/profile")
        .summary("Create (If-None-Match: *) or change (If-Match: the ETag) the creator's profile")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .body(ProfileChange.class)
        .responds(200, ProfileView.class)
        .handle(this::save);
    api.get("/api/creators/{handle}")
        .summary("A creator's public profile")
        .tag("creators")
        .access(Access.PUBLIC)
        .responds(200, ProfileView.class)
        .handle(
            call ->
                send(
                    call.ctx(),
                    profiles
                        .byHandle(call.ctx().pathParam("handle"))
                        .orElseThrow(
                            () -> ProblemCode.NOT_FOUND.exception("No creator has this handle."))));
  }

  private void save(Call call) {
    ProfileChange change = call.body(ProfileChange.class);
    int expected = expectedVersion(call.ctx());
    Profile saved =
        profiles.save(
            call.principal().userId(),
            expected,
            change.handle(),
            change.displayName().strip(),
            RichText.sanitize(change.bio()),
            AuditEvent.builder("creator.profile.changed")
                .actor("user:" + call.principal().userId())
                .actorIp(call.clientIp())
                .requestId(RequestIds.of(call.ctx())));
    send(call.ctx(), saved);
  }

  /** 0 for a first save ({@code If-None-Match: *}), else the version {@code If-Match} names. */
  private static int expectedVersion(Context ctx) {
    String ifMatch = ctx.header("If-Match");
    if (ifMatch == null) {
      if ("*".equals(ctx.header("If-None-Match"))) {
        return 0;
      }
      throw ProblemCode.PRECONDITION_REQUIRED.exception(
          "Send If-Match with the ETag you read, or If-None-Match: * to create the profile.");
    }
    String tag = ifMatch.strip();
    if (tag.matches("\"[1-9][0-9]{0,8}\"")) {
      return Integer.parseInt(tag.substring(1, tag.length() - 1));
    }
    throw ProblemCode.PRECONDITION_FAILED.exception(
        "If-Match " + tag + " is not a version of this profile; read it again.");
  }

  private static void send(Context ctx, Profile profile) {
    ctx.header("ETag", "\"" + profile.version() + "\"");
    ctx.json(ProfileView.of(profile));
  }
}

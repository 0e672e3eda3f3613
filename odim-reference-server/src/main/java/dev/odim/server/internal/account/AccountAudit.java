package dev.odim.server.internal.account;

import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Mask;
import dev.odim.core.audit.Outcome;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.account.Users.User;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Principal;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The audit rows of the account routes, each written in the transaction of its effect. Summaries
 * carry no personal data in clear: emails and names are masked, users are named by id.
 */
public final class AccountAudit {
  private final AuditLog log;

  public AccountAudit(AuditLog log) {
    this.log = log;
  }

  void signedUp(Handle h, User user, Call call) {
    log.record(
        h,
        event("auth.signup", user.id(), call)
            .target(target(user.id()))
            .summary(
                "Signed up as "
                    + user.role().wireName()
                    + " with "
                    + Mask.email(user.email())
                    + " ("
                    + Mask.name(user.name())
                    + ")")
            .build());
  }

  void loggedIn(Handle h, User user, Call call) {
    log.record(
        h,
        event("auth.login.succeeded", user.id(), call)
            .target(target(user.id()))
            .summary("Signed in")
            .build());
  }

  void loginFailed(Handle h, @Nullable UUID userId, Call call) {
    log.record(
        h,
        event("auth.login.failed", null, call)
            .outcome(Outcome.FAILURE)
            .target(userId == null ? null : target(userId))
            .summary(
                userId == null
                    ? "Sign-in failed for an unknown email"
                    : "Sign-in failed: wrong password")
            .build());
  }

  void loggedOut(Handle h, Principal principal, Call call) {
    log.record(
        h,
        event("auth.logout", principal.userId(), call)
            .target("session:" + principal.sessionId())
            .summary("Signed out")
            .build());
  }

  void passwordChanged(Handle h, Principal principal, int sessionsEnded, Call call) {
    log.record(
        h,
        event("auth.password.changed", principal.userId(), call)
            .target(target(principal.userId()))
            .summary("Changed the password; " + sessionsEnded + " session(s) ended")
            .build());
  }

  void passwordChangeRefused(Handle h, Principal principal, Call call) {
    log.record(
        h,
        event("auth.password.change_refused", principal.userId(), call)
            .outcome(Outcome.FAILURE)
            .target(target(principal.userId()))
            .summary("Password change refused: the current password was wrong")
            .build());
  }

  void sessionRevoked(Handle h, Principal principal, UUID sessionId, Call call) {
    log.record(
        h,
        event("auth.session.revoked", principal.userId(), call)
            .target("session:" + sessionId)
            .summary("Ended a session")
            .build());
  }

  void adminCreated(Handle h, User admin) {
    log.record(
        h,
        AuditEvent.builder("admin.bootstrap")
            .actor("system")
            .target(target(admin.id()))
            .summary("Created the first admin, " + Mask.email(admin.email()) + ", from settings")
            .build());
  }

  private static AuditEvent.Builder event(String action, @Nullable UUID actor, Call call) {
    return AuditEvent.builder(action)
        .actor(actor == null ? null : "user:" + actor)
        .actorIp(call.clientIp())
        .requestId(RequestIds.of(call.ctx()));
  }

  private static String target(UUID userId) {
    return "user:" + userId;
  }
}

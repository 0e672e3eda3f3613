package dev.odim.server.internal.account;

import dev.odim.core.Problem;
import dev.odim.core.db.Db;
import dev.odim.core.ratelimit.Decision;
import dev.odim.core.ratelimit.FailureBackoff;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.account.AccountRequests.Login;
import dev.odim.server.internal.account.AccountRequests.Me;
import dev.odim.server.internal.account.AccountRequests.PasswordChange;
import dev.odim.server.internal.account.AccountRequests.SignedIn;
import dev.odim.server.internal.account.AccountRequests.Signup;
import dev.odim.server.internal.account.Users.User;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.Principal;
import dev.odim.server.internal.web.RetryLaterException;
import dev.odim.server.internal.web.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Signup, login, logout and the signed-in user's own account: {@code /api/auth/*} and {@code
 * /api/me*}. Every outcome that matters for security is written to the audit log in the same
 * transaction as its effect.
 */
public final class AccountRoutes {
  private final Db db;
  private final Users users;
  private final Sessions sessions;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;

  /**
   * Five free failed sign-ins per account in 15 minutes, then lock-outs doubling from one second to
   * 15 minutes; keyed by the email's blind index, so the limiter's store (Redis) holds no email.
   */
  private final FailureBackoff throttle;

  private final AccountAudit audit;
  private final SecureRandom random;
  private final Counter loginFailures;

  /**
   * Verified against when the email is unknown, so that a login for an unknown email costs the same
   * Argon2 work as a wrong password and the two cannot be told apart by time.
   */
  private final String dummyHash;

  public AccountRoutes(
      Db db,
      Users users,
      Sessions sessions,
      PasswordHasher hasher,
      FailureBackoff throttle,
      AccountAudit audit,
      SecureRandom random,
      MeterRegistry registry) {
    this.db = db;
    this.users = users;
    this.sessions = sessions;
    this.hasher = hasher;
    this.policy = new PasswordPolicy();
    this.throttle = throttle;
    this.audit = audit;
    this.random = random;
    // The same meter as webhook signature failures, told apart by kind (DESIGN.md's metrics).
    this.loginFailures =
        Counter.builder("odim_auth_failures_total")
            .description("Refused credentials: logins, sessions, webhook signatures")
            .tag("kind", "login")
            .tag("provider", "odim")
            .register(registry);
    this.dummyHash = hasher.hash(UUID.randomUUID().toString(), random);
  }

  /** Declares the routes. */
  public void register(Api api) {
    api.post("/api/auth/signup")
        .summary("Create a fan or creator account and sign in")
        .tag("auth")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .body(Signup.class)
        .responds(201, SignedIn.class)
        .handle(this::signup);
    api.post("/api/auth/login")
        .summary("Sign in; sets the session cookie")
        .tag("auth")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .body(Login.class)
        .responds(200, SignedIn.class)
        .handle(this::login);
    api.post("/api/auth/logout")
        .summary("End the current session; succeeds without one too")
        .tag("auth")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .responds(204, null)
        .handle(this::logout);
    api.get("/api/me")
        .summary("The signed-in user and when the session expires")
        .tag("auth")
        .access(Access.authenticated())
        .responds(200, Me.class)
        .handle(call -> call.ctx().json(me(call.principal())));
    api.post("/api/me/password")
        .summary("Change the password; ends every session and starts a new one")
        .tag("auth")
        .access(Access.authenticated())
        .idempotency(Idempotency.NONE)
        .body(PasswordChange.class)
        .responds(200, SignedIn.class)
        .handle(this::changePassword);
    api.get("/api/me/sessions")
        .summary("The signed-in user's live sessions")
        .tag("auth")
        .access(Access.authenticated())
        .responds(200, null)
        .handle(
            call ->
                call.ctx()
                    .json(
                        Map.of(
                            "sessions",
                            sessions.live(
                                call.principal().userId(), call.principal().sessionId()))));
    api.delete("/api/sessions/{id}")
        .summary("End one of the signed-in user's sessions")
        .tag("auth")
        .access(Access.owner(ctx -> sessions.ownerOf(ctx.pathParam("id"))))
        .responds(204, null)
        .handle(this::revoke);
  }

  /**
   * Creates the first admin from {@code ODIM_ADMIN_EMAIL} / {@code ODIM_ADMIN_PASSWORD} unless an
   * account with that email exists. Returns whether it created one.
   */
  public boolean ensureAdmin(String email, String password) {
    if (users.findByEmail(email).isPresent()) {
      return false;
    }
    String hash = hasher.hash(password, random);
    return db.inTransaction(
        h -> {
          Optional<User> created = users.create(h, Role.ADMIN, email, "Administrator", hash);
          created.ifPresent(u -> audit.adminCreated(h, u));
          return created.isPresent();
        });
  }

  private void signup(Call call) {
    Signup signup = call.body(Signup.class);
    policy
        .refusal(signup.password(), List.of(signup.email(), signup.name()))
        .ifPresent(
            why -> {
              throw ProblemCode.VALIDATION_FAILED.exception(
                  "Choose a stronger password.", List.of(new Problem.FieldError("password", why)));
            });
    String hash = hasher.hash(signup.password(), random);
    Role role = Role.fromWireName(signup.role());
    SignedUp signedUp =
        db.inTransaction(
            h -> {
              User user =
                  users
                      .create(h, role, signup.email().strip(), signup.name().strip(), hash)
                      .orElseThrow(
                          () ->
                              ProblemCode.EMAIL_TAKEN.exception(
                                  "Sign in instead, or use another email."));
              audit.signedUp(h, user, call);
              return new SignedUp(
                  user, sessions.start(h, user.id(), call.clientIp(), userAgent(call)));
            });
    sessions.writeCookie(call.ctx(), signedUp.session());
    call.ctx()
        .status(201)
        .json(new SignedIn(me(signedUp.user(), signedUp.session().expiresAt()), null));
  }

  private record SignedUp(User user, Sessions.Started session) {}

  private void login(Call call) {
    Login login = call.body(Login.class);
    String accountKey = HexFormat.of().formatHex(users.emailKey(login.email()));
    Decision gate = throttle.check(accountKey);
    if (!gate.allowed()) {
      throw new RetryLaterException(
          ProblemCode.RATE_LIMITED,
          "Too many failed sign-ins for this account. Try again in "
              + gate.retryAfterSeconds()
              + " s.",
          gate.retryAfter(),
          Map.of());
    }
    Optional<User> found = users.findByEmail(login.email());
    boolean ok = found.map(u -> hasher.verify(login.password(), u.passwordHash())).orElse(false);
    if (found.isEmpty()) {
      hasher.verify(login.password(), dummyHash);
    }
    if (!ok) {
      loginFailures.increment();
      throttle.recordFailure(accountKey);
      db.useTransaction(h -> audit.loginFailed(h, found.map(User::id).orElse(null), call));
      throw ProblemCode.INVALID_CREDENTIALS.exception(
          "Check the email and password, or reset the password.");
    }
    throttle.recordSuccess(accountKey);
    User user = found.get();
    Sessions.Started session =
        db.inTransaction(
            h -> {
              if (hasher.needsRehash(user.passwordHash())) {
                users.setPasswordHash(h, user.id(), hasher.hash(login.password(), random), false);
              }
              audit.loggedIn(h, user, call);
              return sessions.start(h, user.id(), call.clientIp(), userAgent(call));
            });
    sessions.writeCookie(call.ctx(), session);
    call.ctx().json(new SignedIn(me(user, session.expiresAt()), login.returnTo()));
  }

  private void logout(Call call) {
    Principal principal = call.principalOrNull();
    if (principal != null) {
      db.useTransaction(
          h -> {
            sessions.end(h, principal.sessionId(), "logout");
            audit.loggedOut(h, principal, call);
          });
    }
    sessions.clearCookie(call.ctx());
    call.ctx().status(204);
  }

  private void changePassword(Call call) {
    PasswordChange change = call.body(PasswordChange.class);
    Principal principal = call.principal();
    User user = users.find(principal.userId()).orElseThrow();
    if (!hasher.verify(change.currentPassword(), user.passwordHash())) {
      db.useTransaction(h -> audit.passwordChangeRefused(h, principal, call));
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The current password is not right.",
          List.of(new Problem.FieldError("currentPassword", "is not your current password")));
    }
    policy
        .refusal(change.newPassword(), List.of(user.email(), user.name()))
        .ifPresent(
            why -> {
              throw ProblemCode.VALIDATION_FAILED.exception(
                  "Choose a stronger password.",
                  List.of(new Problem.FieldError("newPassword", why)));
            });
    String hash = hasher.hash(change.newPassword(), random);
    Sessions.Started session =
        db.inTransaction(
            h -> {
              users.setPasswordHash(h, user.id(), hash, true);
              int ended = sessions.endAll(h, user.id(), "password_changed");
              audit.passwordChanged(h, principal, ended, call);
              return sessions.start(h, user.id(), call.clientIp(), userAgent(call));
            });
    sessions.writeCookie(call.ctx(), session);
    call.ctx().json(new SignedIn(me(user, session.expiresAt()), null));
  }

  private void revoke(Call call) {
    UUID id;
    try {
      id = UUID.fromString(call.ctx().pathParam("id"));
    } catch (IllegalArgumentException e) {
      // Only an admin gets here with a malformed id: the owner check finds no owner for it.
      throw ProblemCode.NOT_FOUND.exception("No session has this id.");
    }
    db.useTransaction(
        h -> {
          sessions.end(h, id, "revoked");
          audit.sessionRevoked(h, call.principal(), id, call);
        });
    call.ctx().status(204);
  }

  private Me me(Principal principal) {
    User user =
        users
            .find(principal.userId())
            .orElseThrow(() -> ProblemCode.UNAUTHENTICATED.exception("The account is gone."));
    return me(user, principal.expiresAt());
  }

  private static Me me(User user, Instant expiresAt) {
    return new Me(
        user.id(), user.email(), user.name(), user.role().wireName(), user.createdAt(), expiresAt);
  }

  private static String userAgent(Call call) {
    @Nullable String agent = call.ctx().userAgent();
    return agent == null ? "" : agent;
  }
}

package dev.odim.server.internal.account;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The bodies the account routes accept and answer with. */
public final class AccountRequests {
  private AccountRequests() {}

  /** No control characters: they have no place in a name and hide text in logs and pages. */
  static final String PRINTABLE = "^[^\\p{Cntrl}]*$";

  /** A path on this site, never another origin: no scheme, no {@code //} or {@code /\}. */
  static final String LOCAL_PATH = "^/(?![/\\\\])[^\\p{Cntrl}\\s]*$";

  /** {@code POST /api/auth/signup}. */
  public record Signup(
      @NotNull @Email(regexp = ".+@.+\\..+") @Size(max = 254) String email,
      @NotNull @Size(max = PasswordPolicy.MAX_LENGTH) String password,
      @NotBlank @Size(max = 100) @Pattern(regexp = PRINTABLE) String name,
      @NotNull @Pattern(regexp = "fan|creator", message = "must be fan or creator") String role) {
    @Override
    public String toString() {
      return "Signup[role=" + role + "]";
    }
  }

  /** {@code POST /api/auth/login}. */
  public record Login(
      @NotNull @Size(max = 254) String email,
      @NotNull @Size(max = PasswordPolicy.MAX_LENGTH) String password,
      @Nullable
          @Size(max = 2000)
          @Pattern(regexp = LOCAL_PATH, message = "must be a path on this site")
          String returnTo) {
    @Override
    public String toString() {
      return "Login[]";
    }
  }

  /** {@code POST /api/me/password}. */
  public record PasswordChange(
      @NotNull @Size(max = PasswordPolicy.MAX_LENGTH) String currentPassword,
      @NotNull @Size(max = PasswordPolicy.MAX_LENGTH) String newPassword) {
    @Override
    public String toString() {
      return "PasswordChange[]";
    }
  }

  /** The signed-in user, with when the session ends unless used again. */
  public record Me(
      UUID id, String email, String name, String role, Instant createdAt, Instant expiresAt) {}

  /** The answer to signup and login. */
  public record SignedIn(Me user, @Nullable String returnTo) {}
}

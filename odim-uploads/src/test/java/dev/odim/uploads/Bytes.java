package dev.odim.uploads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Test data and its digests. */
final class Bytes {
  private Bytes() {}

  /** Reproducible bytes in which every 8-byte word differs, so misplaced bytes show. */
  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static String sha256(Path file) throws Exception {
    return sha256(Files.readAllBytes(file));
  }

  static byte[] slice(byte[] bytes, int from, int to) {
    return java.util.Arrays.copyOfRange(bytes, from, to);
  }

  /** The smallest valid PNG header: signature and an IHDR chunk. */
  static byte[] png(int size) {
    byte[] bytes = random(size, 7);
    byte[] header = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    System.arraycopy(header, 0, bytes, 0, header.length);
    return bytes;
  }

  /** An ISO base media file (MP4) start: an {@code ftyp} box with the {@code isom} brand. */
  static byte[] mp4(int size) {
    byte[] bytes = random(size, 11);
    byte[] header = {
      0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i',
      's', 'o', '2', 'a', 'v', 'c', '1', 'm', 'p', '4', '1'
    };
    System.arraycopy(header, 0, bytes, 0, header.length);
    return bytes;
  }
}

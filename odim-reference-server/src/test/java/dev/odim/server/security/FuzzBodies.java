package dev.odim.server.security;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Random request bodies as text and bytes, for {@link FuzzTest}: any JSON value, objects shaped
 * like a route's body with random values, broken JSON, deep nesting and invalid UTF-8. Written by
 * hand rather than with a JSON library, so that the odd corners of the syntax (escaped lone
 * surrogates, huge exponents, duplicate keys) are reachable.
 */
final class FuzzBodies {
  private static final String[] ODD_NUMBERS = {
    "0",
    "-0",
    "1",
    "-1",
    "2147483648",
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "1e999",
    "-1e999",
    "1.7976931348623157e308",
    "4.9e-324",
    "0.1",
    "-3.5",
    "1E+2",
    "1e-999999"
  };

  private static final String[] PLAUSIBLE = {
    "fan",
    "creator",
    "admin",
    "Ada Lovelace",
    "/dashboard",
    "//evil.example",
    "javascript:alert(1)",
    "plausible walrus quietly humming",
    "root@odim.test",
    "correct horse battery staple admin",
    ""
  };

  private FuzzBodies() {}

  /** Any JSON value, at most {@code depth} levels deep. */
  static String value(Random random, int depth) {
    int pick = random.nextInt(depth <= 0 ? 5 : 7);
    return switch (pick) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> number(random);
      case 3, 4 -> string(random);
      case 5 -> array(random, depth - 1);
      default -> object(random, depth - 1, List.of());
    };
  }

  /** An object with {@code fields} (each present or not, some twice) and random other keys. */
  static String object(Random random, int depth, List<String> fields) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (String field : fields) {
      int copies = random.nextInt(10) == 0 ? 2 : random.nextInt(5) == 0 ? 0 : 1;
      for (int i = 0; i < copies; i++) {
        first = member(out, first, quote(field), fieldValue(random, depth));
      }
    }
    int extra = fields.isEmpty() ? random.nextInt(6) : random.nextInt(8) == 0 ? 1 : 0;
    for (int i = 0; i < extra; i++) {
      first = member(out, first, string(random), value(random, depth));
    }
    return out.append('}').toString();
  }

  private static boolean member(StringBuilder out, boolean first, String key, String value) {
    if (!first) {
      out.append(',');
    }
    out.append(key).append(':').append(value);
    return false;
  }

  /** A field's value: mostly strings, a third of them plausible enough to pass validation. */
  private static String fieldValue(Random random, int depth) {
    int pick = random.nextInt(10);
    if (pick < 3) {
      return quote(plausible(random));
    }
    if (pick < 6) {
      return string(random);
    }
    return value(random, Math.max(depth, 1));
  }

  private static String plausible(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "fuzz-" + UUID.randomUUID() + "@odim.test";
      case 1 -> "plausible walrus " + UUID.randomUUID();
      default -> PLAUSIBLE[random.nextInt(PLAUSIBLE.length)];
    };
  }

  static String array(Random random, int depth) {
    StringBuilder out = new StringBuilder("[");
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : ",").append(value(random, depth));
    }
    return out.append(']').toString();
  }

  static String number(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)];
      case 1 -> Long.toString(random.nextLong());
      default -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40)));
    };
  }

  /** A JSON string literal of random characters, escapes and all. */
  static String string(Random random) {
    StringBuilder out = new StringBuilder("\"");
    int length = random.nextInt(10) == 0 ? random.nextInt(3000) : random.nextInt(24);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(12)) {
        case 0 -> out.append(String.format("\\u%04x", random.nextInt(0x20)));
        case 1 ->
            out.append(
                new String[] {"\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b"}[random.nextInt(6)]);
        case 2 -> out.append(random.nextBoolean() ? "\\ud800" : "\\udfff");
        case 3 -> out.appendCodePoint(0x1F600 + random.nextInt(80));
        case 4 -> out.appendCodePoint(0xA0 + random.nextInt(0xD000));
        case 5 -> out.append(random.nextBoolean() ? "'" : "' OR '1'='1");
        default -> {
          char c = (char) ('!' + random.nextInt(94));
          out.append(c == '"' || c == '\\' ? 'q' : c);
        }
      }
    }
    return out.append('"').toString();
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Not JSON, or JSON only by a lenient parser's reading. */
  static String malformed(Random random, List<String> fields) {
    String valid = object(random, 2, fields);
    return switch (random.nextInt(16)) {
      case 0 -> valid.substring(0, random.nextInt(valid.length()));
      case 1 -> valid + new String[] {"}", "x", "{}", ",", " garbage", "\u0000"}[random.nextInt(6)];
      case 2 -> "{\"a\":1,\"a\":2," + valid.substring(1);
      case 3 -> "/* comment */" + valid;
      case 4 -> "// comment\n" + valid;
      case 5 -> valid.replace('"', '\'');
      case 6 -> "{\"" + field(random, fields) + "\":NaN}";
      case 7 -> "{\"" + field(random, fields) + "\":Infinity}";
      case 8 -> "{" + field(random, fields) + ":\"unquoted key\"}";
      case 9 -> valid.length() > 2 ? valid.substring(0, valid.length() - 1) + ",}" : "[1,]";
      case 10 -> "\uFEFF" + valid;
      case 11 -> "";
      case 12 -> " \t\r\n ";
      case 13 -> "{\"" + field(random, fields) + "\":\"unterminated";
      case 14 -> "{\"" + field(random, fields) + "\":\"bad escape \\x41\"}";
      default -> "{\"" + field(random, fields) + "\":0x1F, \"b\":01}";
    };
  }

  private static String field(Random random, List<String> fields) {
    return fields.isEmpty() ? "a" : fields.get(random.nextInt(fields.size()));
  }

  /** {@code depth} nested arrays or objects, closed or left open. */
  static String nested(Random random, int depth) {
    boolean objects = random.nextBoolean();
    String open = objects ? "{\"a\":" : "[";
    String close = objects ? "}" : "]";
    StringBuilder out = new StringBuilder(depth * (open.length() + 1) + 8);
    out.append(open.repeat(depth)).append("1");
    if (random.nextInt(4) != 0) {
      out.append(close.repeat(depth));
    }
    return out.toString();
  }

  /** A shaped body with invalid UTF-8 put in a string or at the start. */
  static byte[] invalidUtf8(Random random, List<String> fields) {
    byte[][] broken = {
      {(byte) 0xC3, (byte) 0x28},
      {(byte) 0xFF},
      {(byte) 0xFE, (byte) 0xFF},
      {(byte) 0xC0, (byte) 0xAF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
      {(byte) 0x80},
      {0, 0, 0}
    };
    byte[] bad = broken[random.nextInt(broken.length)];
    String name = field(random, fields);
    byte[] before = ("{\"" + name + "\":\"ab").getBytes(StandardCharsets.UTF_8);
    byte[] after = "cd\"}".getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(4) == 0) {
      // At the very start, where Jackson guesses the encoding (UTF-16 and UTF-32 BOMs, NULs).
      before = new byte[0];
      after = ("{\"" + name + "\":\"x\"}").getBytes(StandardCharsets.UTF_8);
    }
    byte[] body = new byte[before.length + bad.length + after.length];
    System.arraycopy(before, 0, body, 0, before.length);
    System.arraycopy(bad, 0, body, before.length, bad.length);
    System.arraycopy(after, 0, body, before.length + bad.length, after.length);
    return body;
  }

  /** UTF-16 and UTF-32 encodings of a shaped body, which Jackson detects from the first bytes. */
  static byte @Nullable [] otherEncoding(Random random, List<String> fields) {
    String body = object(random, 1, fields);
    return switch (random.nextInt(4)) {
      case 0 -> body.getBytes(StandardCharsets.UTF_16BE);
      case 1 -> body.getBytes(StandardCharsets.UTF_16LE);
      case 2 -> body.getBytes(Charset.forName("UTF-32BE"));
      default -> body.getBytes(Charset.forName("UTF-32LE"));
    };
  }
}

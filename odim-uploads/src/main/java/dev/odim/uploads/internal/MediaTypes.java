package dev.odim.uploads.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * Media types: sniffing the first bytes of a finished upload with tika-core's magic table (kept by
 * the Tika project for hundreds of formats; a table of our own would fall behind), and matching
 * types against the allow-list.
 */
public final class MediaTypes {
  /** Enough for every magic in Tika's table that matters here (MP4 brands sit in the first 64). */
  static final int SNIFF_BYTES = 64 * 1024;

  private final MimeTypes types = MimeTypes.getDefaultMimeTypes();
  private final List<String> allowed;

  public MediaTypes(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /**
   * The type the bytes look like, such as {@code image/png}; {@code application/octet-stream} when
   * unknown.
   */
  public String sniff(InputStream data) throws IOException {
    byte[] head = data.readNBytes(SNIFF_BYTES);
    MediaType type = types.detect(new ByteArrayInputStream(head), new Metadata());
    String detected = type.getBaseType().toString();
    if (detected.equals("video/quicktime") && mp4Brand(head)) {
      return "video/mp4";
    }
    return detected;
  }

  /**
   * Tika's table calls an ISO base media file whose major brand is {@code isom}, {@code iso2} or
   * {@code avc1} QuickTime; those are the brands ffmpeg and most cameras write into ordinary MP4
   * files, which an allow-list of {@code video/mp4} must admit.
   */
  private static boolean mp4Brand(byte[] head) {
    if (head.length < 12 || head[4] != 'f' || head[5] != 't' || head[6] != 'y' || head[7] != 'p') {
      return false;
    }
    String brand = new String(head, 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
    return MP4_BRANDS.contains(brand);
  }

  private static final java.util.Set<String> MP4_BRANDS =
      java.util.Set.of("isom", "iso2", "iso4", "iso5", "iso6", "avc1", "mp41", "mp42", "dash");

  /** Whether the allow-list admits {@code type}; an empty list admits everything. */
  public boolean allowed(String type) {
    if (allowed.isEmpty()) {
      return true;
    }
    String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    int slash = base.indexOf('/');
    if (slash <= 0) {
      return false;
    }
    for (String range : allowed) {
      if (range.equals("*/*") || range.equals(base)) {
        return true;
      }
      if (range.endsWith("/*") && base.startsWith(range.substring(0, range.length() - 1))) {
        return true;
      }
    }
    return false;
  }
}

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
    return type.getBaseType().toString();
  }

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

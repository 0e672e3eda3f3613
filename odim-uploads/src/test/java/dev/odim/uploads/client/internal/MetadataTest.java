package dev.odim.uploads.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTest {

  @Test
  void valuesAreBase64OfTheirUtf8BytesInOrder() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("filename", "world_domination_plan.pdf");
    metadata.put("filetype", "application/pdf");
    assertThat(Metadata.encode(metadata))
        .isEqualTo("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,filetype YXBwbGljYXRpb24vcGRm");
  }

  @Test
  void nonAsciiValuesRoundTrip() {
    String value = "Ọjọ́ ìbí, 2026 — ✓.mp4";
    String header = Metadata.encode(Map.of("filename", value));
    String encoded = header.substring("filename ".length());
    assertThat(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8))
        .isEqualTo(value);
  }

  @Test
  void anEmptyValueIsTheBareKey() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("is_confidential", "");
    metadata.put("a", "b");
    assertThat(Metadata.encode(metadata)).isEqualTo("is_confidential,a Yg==");
  }

  @Test
  void noMetadataIsAnEmptyHeader() {
    assertThat(Metadata.encode(Map.of())).isEmpty();
  }
}

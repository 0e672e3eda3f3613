package dev.odim.uploads.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TusClientSettingsTest {
  private static final URI ENDPOINT = URI.create("http://127.0.0.1:1/uploads/");

  @Test
  void defaultsAreTheDocumentedOnes() {
    try (TusClient client = TusClient.builder(ENDPOINT).build()) {
      assertThat(client.toString())
          .contains("chunkSize=" + (32L << 20))
          .contains("checksum=NONE")
          .contains("maxAttempts=8");
    }
  }

  @Test
  void endpointMustBeAnAbsoluteHttpUrl() {
    for (String bad : new String[] {"/uploads/", "ftp://host/uploads/", "file:///tmp/x"}) {
      assertThatThrownBy(() -> TusClient.builder(URI.create(bad)).build())
          .isInstanceOf(OdimConfigException.class)
          .extracting(e -> ((OdimConfigException) e).setting())
          .isEqualTo("endpoint");
    }
  }

  @Test
  void chunkSizeMustBePositive() {
    assertThatThrownBy(() -> TusClient.builder(ENDPOINT).chunkSize(0).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("chunkSize:");
  }

  @Test
  void timeoutsMustBePositive() {
    assertThatThrownBy(() -> TusClient.builder(ENDPOINT).requestTimeout(Duration.ZERO).build())
        .hasMessageStartingWith("requestTimeout:");
    assertThatThrownBy(
            () -> TusClient.builder(ENDPOINT).chunkTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageStartingWith("chunkTimeout:");
    assertThatThrownBy(() -> TusClient.builder(ENDPOINT).connectTimeout(Duration.ZERO).build())
        .hasMessageStartingWith("connectTimeout:");
  }

  @Test
  void retryPolicyIsChecked() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .hasMessageStartingWith("retry.maxAttempts:");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessageStartingWith("retry.baseDelay:");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageStartingWith("retry.maxDelay:");
  }

  @Test
  void headersTheClientOwnsAreRefusedWhenARequestIsMade() {
    try (TusClient client =
        TusClient.builder(ENDPOINT).headers(() -> Map.of("Upload-Offset", "0")).build()) {
      assertThatThrownBy(() -> client.offset(ENDPOINT.resolve("x")))
          .isInstanceOf(OdimConfigException.class)
          .hasMessageContaining("Upload-Offset");
    }
  }

  @Test
  void metadataKeysMustBeTusTokens() {
    Upload upload = Upload.of(Path.of("a.bin"));
    assertThatThrownBy(() -> upload.withMetadata("", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> upload.withMetadata("file name", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> upload.withMetadata("a,b", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> upload.withMetadata("naïve", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(upload.withMetadata("filename", "a b,ç").metadata())
        .containsEntry("filename", "a b,ç");
  }

  @Test
  void aParallelUploadCannotResumeFromOneUrl() {
    Upload upload = Upload.of(Path.of("a.bin")).resumingAt(ENDPOINT.resolve("x"));
    assertThatThrownBy(() -> upload.inParts(2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Upload.of(Path.of("a.bin")).inParts(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void uploadIsImmutable() {
    Upload upload = Upload.of(Path.of("a.bin")).withMetadata("filename", "a");
    Upload more = upload.withMetadata("filetype", "video/mp4");
    assertThat(upload.metadata()).containsOnlyKeys("filename");
    assertThat(more.metadata()).containsOnlyKeys("filename", "filetype");
    assertThatThrownBy(() -> more.metadata().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}

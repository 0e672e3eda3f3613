package dev.odim.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpMessagesTest {

  @Test
  void requestHeadersMatchWithoutRegardToCase() throws Exception {
    HttpRequest request =
        HttpRequest.of(
            "post",
            "/x",
            Map.of("X-Multi", List.of("a", "b"), "Content-Length", List.of("3")),
            "abc".getBytes(StandardCharsets.UTF_8),
            "127.0.0.1");

    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.headers("x-multi")).containsExactly("a", "b");
    assertThat(request.header("X-MULTI")).isEqualTo("a");
    assertThat(request.header("absent")).isNull();
    assertThat(request.headerNames()).containsExactlyInAnyOrder("X-Multi", "Content-Length");
    assertThat(request.declaredLength()).isEqualTo(3);
    assertThat(request.body().readAllBytes()).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingOrBadContentLengthIsUnknown() {
    assertThat(HttpRequest.of("GET", "/", Map.of(), new byte[0], "::1").declaredLength())
        .isEqualTo(-1);
    assertThat(
            HttpRequest.of("GET", "/", Map.of("Content-Length", List.of("x")), new byte[0], "::1")
                .declaredLength())
        .isEqualTo(-1);
  }

  @Test
  void responsesKeepHeaderOrderAndCompareByContent() {
    HttpResponse response =
        HttpResponse.text(200, "ok").withHeader("Vary", "Origin").withHeader("Vary", "Accept");

    assertThat(response.headers().get("Vary")).containsExactly("Origin", "Accept");
    assertThat(response.header("content-type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(response.bodyText()).isEqualTo("ok");
    assertThat(response)
        .isEqualTo(
            HttpResponse.text(200, "ok").withHeader("Vary", "Origin").withHeader("Vary", "Accept"));
    assertThatThrownBy(() -> HttpResponse.of(99)).isInstanceOf(IllegalArgumentException.class);
  }
}

package dev.odim.servlet;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OdimServlet in a real Jetty 12, called over HTTP/1.1 by the JDK's client. */
class OdimServletTest {
  private static HttpClient client;

  @BeforeAll
  static void startClient() {
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stopClient() {
    client.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
  void everyMethodReachesTheHandler(String method) throws Exception {
    HttpHandler echo = request -> HttpResponse.text(200, "got " + request.method());
    try (Jetty jetty = Jetty.serve(echo)) {
      var response = send(newRequest(jetty, "/files/1").method(method, noBody()));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).asString(UTF_8).isEqualTo("got " + method);
    }
  }

  @Test
  void headGetsTheHeadersAndTheLengthTheHandlerDeclaresButNoBody() throws Exception {
    AtomicReference<String> method = new AtomicReference<>();
    HttpHandler tusHead =
        request -> {
          method.set(request.method());
          return HttpResponse.of(200)
              .withHeader("Upload-Offset", "7")
              .withHeader("Content-Length", "11");
        };
    try (Jetty jetty = Jetty.serve(tusHead)) {
      var response = send(newRequest(jetty, "/files/1").HEAD());

      assertThat(method).hasValue("HEAD");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Upload-Offset")).hasValue("7");
      assertThat(response.headers().firstValue("Content-Length")).hasValue("11");
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void headAnsweredLikeGetDeclaresTheBodysLengthAndSendsNoBody() throws Exception {
    HttpHandler sameAsGet = request -> HttpResponse.text(200, "hello world");
    try (Jetty jetty = Jetty.serve(sameAsGet)) {
      var response = send(newRequest(jetty, "/").HEAD());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Length")).hasValue("11");
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void theHandlerSeesTheFullRequestPathAsSentWithoutTheQuery() throws Exception {
    AtomicReference<String> path = new AtomicReference<>();
    HttpHandler recordPath =
        request -> {
          path.set(request.path());
          return HttpResponse.of(204);
        };
    try (Jetty jetty = Jetty.serve(recordPath, "/api", "/webhooks/*")) {
      send(newRequest(jetty, "/api/webhooks/paystack?attempt=2").GET());
      assertThat(path).hasValue("/api/webhooks/paystack");

      send(newRequest(jetty, "/api/webhooks/pay%20stack").GET());
      assertThat(path).hasValue("/api/webhooks/pay%20stack");
    }
  }

  @Test
  void headersAreMatchedWithoutRegardToCaseAndKeepEveryValueInOrder() throws Exception {
    AtomicReference<List<Object>> seen = new AtomicReference<>();
    HttpHandler recordHeaders =
        request -> {
          seen.set(
              java.util.Arrays.asList(
                  request.headers("x-odim-test"),
                  request.header("X-ODIM-TEST"),
                  request.headers("X-Absent"),
                  request.header("X-Absent"),
                  request.headerNames().stream()
                      .filter(name -> name.equalsIgnoreCase("x-odim-test"))
                      .count()));
          return HttpResponse.of(204);
        };
    try (Jetty jetty = Jetty.serve(recordHeaders)) {
      send(
          newRequest(jetty, "/")
              .header("X-Odim-Test", "one")
              .header("X-Odim-Test", "two, three")
              .GET());

      assertThat(seen.get())
          .containsExactly(List.of("one", "two, three"), "one", List.of(), null, 1L);
    }
  }

  @Test
  void aLargeBodyReachesTheHandlerIntactWithAndWithoutADeclaredLength() throws Exception {
    byte[] body = new byte[5 * 1024 * 1024];
    new Random(42).nextBytes(body);
    HttpHandler digest =
        request -> {
          MessageDigest sha256 = sha256();
          long count = 0;
          byte[] buffer = new byte[16 * 1024];
          try (InputStream in = request.body()) {
            for (int n; (n = in.read(buffer)) != -1; ) {
              sha256.update(buffer, 0, n);
              count += n;
            }
          }
          return HttpResponse.text(
              200,
              request.declaredLength()
                  + " "
                  + count
                  + " "
                  + HexFormat.of().formatHex(sha256.digest()));
        };
    String expectedDigest = HexFormat.of().formatHex(sha256().digest(body));
    try (Jetty jetty = Jetty.serve(digest)) {
      var declared = send(newRequest(jetty, "/upload").POST(BodyPublishers.ofByteArray(body)));
      var chunked =
          send(
              newRequest(jetty, "/upload")
                  .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

      assertThat(declared.body())
          .asString(UTF_8)
          .isEqualTo(body.length + " " + body.length + " " + expectedDigest);
      assertThat(chunked.body())
          .asString(UTF_8)
          .isEqualTo("-1 " + body.length + " " + expectedDigest);
    }
  }

  @Test
  void statusHeadersAndBodyReachTheClientAsTheHandlerMadeThem() throws Exception {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    HttpHandler created =
        request ->
            HttpResponse.of(201, "application/octet-stream", binary)
                .withHeader("Set-Cookie", "a=1")
                .withHeader("Location", "/files/1")
                .withHeader("Set-Cookie", "b=2")
                .withHeader("Set-Cookie", "c=3")
                // Wrong on purpose: the servlet owns the framing and sends the real length.
                .withHeader("Content-Length", "999");
    try (Jetty jetty = Jetty.serve(created)) {
      var response = send(newRequest(jetty, "/files").POST(BodyPublishers.ofString("x")));

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/octet-stream");
      assertThat(response.headers().allValues("set-cookie")).containsExactly("a=1", "b=2", "c=3");
      assertThat(response.headers().firstValue("Location")).hasValue("/files/1");
      assertThat(response.headers().firstValue("Content-Length")).hasValue("256");
      assertThat(response.body()).isEqualTo(binary);
    }
  }

  @Test
  void noContentIsSentWithoutABody() throws Exception {
    try (Jetty jetty = Jetty.serve(request -> HttpResponse.of(204).withHeader("X-Done", "yes"))) {
      var response = send(newRequest(jetty, "/").DELETE());

      assertThat(response.statusCode()).isEqualTo(204);
      assertThat(response.headers().firstValue("X-Done")).hasValue("yes");
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void aRuntimeExceptionBecomesAFixedProblemWithoutTheCause() throws Exception {
    HttpHandler broken =
        request -> {
          throw new IllegalStateException("connection to db.internal:5432 refused");
        };
    try (Jetty jetty = Jetty.serve(broken)) {
      var response = send(newRequest(jetty, "/webhooks/paystack").POST(noBody()));

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(response.body())
          .asString(UTF_8)
          .isEqualTo(
              "{\"type\":\"https://odim.dev/problems/internal_error\",\"title\":\"Internal"
                  + " error\",\"status\":500,\"code\":\"internal_error\"}")
          .doesNotContain("db.internal", "Exception", "at dev.odim");
    }
  }

  @Test
  void anErrorFromTheHandlerIsAnsweredLikeARuntimeException() throws Exception {
    // Left to Jetty, the message would be in its error page.
    HttpHandler failsAnAssertion =
        request -> {
          throw new AssertionError("ledger out of balance by 1500 NGN");
        };
    try (Jetty jetty = Jetty.serve(failsAnAssertion)) {
      var response = send(newRequest(jetty, "/").GET());

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).asString(UTF_8).isEqualTo(OdimServlet.INTERNAL_ERROR_BODY);
    }
  }

  @Test
  void aLineBreakInAHeaderCannotSplitTheResponse() throws Exception {
    HttpHandler echoesInput =
        request ->
            HttpResponse.text(200, "ok")
                .withHeader("X-Reference", "ref_1\r\nSet-Cookie: session=stolen");
    try (Jetty jetty = Jetty.serve(echoesInput)) {
      var response = send(newRequest(jetty, "/").GET());

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.headers().map()).doesNotContainKeys("x-reference", "set-cookie");
      assertThat(response.body()).asString(UTF_8).isEqualTo(OdimServlet.INTERNAL_ERROR_BODY);
    }
  }

  @Test
  void aHandlerThatReturnsNullIsAnsweredLikeAnyOtherBug() throws Exception {
    HttpHandler returnsNull = request -> null;
    try (Jetty jetty = Jetty.serve(returnsNull)) {
      var response = send(newRequest(jetty, "/").GET());

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).asString(UTF_8).isEqualTo(OdimServlet.INTERNAL_ERROR_BODY);
    }
  }

  @Test
  void anIOExceptionFromTheHandlerIsABare400() throws Exception {
    HttpHandler unreadable =
        request -> {
          throw new IOException("read timed out at byte 4096 of /tmp/secret");
        };
    try (Jetty jetty = Jetty.serve(unreadable)) {
      var response = send(newRequest(jetty, "/").POST(BodyPublishers.ofString("x")));

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void aBodyCutShortReachesTheHandlerAsAnIOException() throws Exception {
    CompletableFuture<IOException> failure = new CompletableFuture<>();
    HttpHandler readAll =
        request -> {
          try {
            request.body().readAllBytes();
          } catch (IOException e) {
            failure.complete(e);
            throw e;
          }
          failure.complete(null);
          return HttpResponse.of(204);
        };
    try (Jetty jetty = Jetty.serve(readAll);
        Socket socket = new Socket("127.0.0.1", jetty.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789")
              .getBytes(US_ASCII));
      out.flush();
      socket.shutdownOutput();

      assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
      String answer = new String(socket.getInputStream().readAllBytes(), US_ASCII);
      // Whoever still listens gets a bare 400, and the connection is not reused.
      assertThat(answer)
          .startsWith("HTTP/1.1 400 ")
          .containsIgnoringCase("Connection: close")
          .endsWith("\r\n\r\n");
    }
  }

  @Test
  void theRemoteAddressIsThePeerOfTheConnection() throws Exception {
    AtomicReference<String> remote = new AtomicReference<>();
    HttpHandler recordRemote =
        request -> {
          remote.set(request.remoteAddress());
          return HttpResponse.of(204);
        };
    try (Jetty jetty = Jetty.serve(recordRemote)) {
      send(newRequest(jetty, "/").GET());

      assertThat(remote).hasValue("127.0.0.1");
    }
  }

  private static java.net.http.HttpRequest.Builder newRequest(Jetty jetty, String pathAndQuery) {
    return java.net.http.HttpRequest.newBuilder(jetty.uri(pathAndQuery))
        .timeout(Duration.ofSeconds(30));
  }

  private static java.net.http.HttpResponse<byte[]> send(java.net.http.HttpRequest.Builder request)
      throws Exception {
    return client.send(request.build(), BodyHandlers.ofByteArray());
  }

  private static java.net.http.HttpRequest.BodyPublisher noBody() {
    return BodyPublishers.noBody();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

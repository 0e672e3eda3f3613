package dev.odim.server.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP as bytes over a socket, for requests Java's HttpClient refuses to send. */
final class RawHttp {
  private RawHttp() {}

  /** Writes {@code request} as ISO-8859-1 bytes and reads the answer until the server closes. */
  static String exchange(String host, int port, String request) throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The server may stop reading (and reset) once it has seen enough to refuse.
      }
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          response.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // A reset after the answer still leaves the answer.
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** The status of a raw answer, or -1 when the server hung up without one. */
  static int status(String response) {
    String line = response.lines().findFirst().orElse("");
    return line.startsWith("HTTP/") ? Integer.parseInt(line.split(" ")[1]) : -1;
  }

  /** The value of the first header {@code name} of a raw answer, or "". */
  static String header(String response, String name) {
    return response
        .lines()
        .takeWhile(line -> !line.isEmpty())
        .filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1))
        .map(line -> line.substring(name.length() + 1).strip())
        .findFirst()
        .orElse("");
  }

  /** The body of a raw answer. */
  static String body(String response) {
    int end = response.indexOf("\r\n\r\n");
    return end < 0 ? "" : response.substring(end + 4);
  }
}

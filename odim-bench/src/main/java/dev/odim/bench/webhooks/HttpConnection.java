package dev.odim.bench.webhooks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection that sends prepared requests and reads their answers.
 *
 * <p>Written by hand rather than with {@code java.net.http.HttpClient} on purpose: load generator
 * and server share the same two cores here, and the JDK client's per-request machinery (its
 * selector thread, futures and header maps) costs about as much CPU as the server's work, so it
 * would measure itself. This client does the least HTTP needs: write the bytes, read a status line,
 * headers and a {@code Content-Length} body.
 */
final class HttpConnection implements AutoCloseable {
  /** A response: its status and body. */
  record Response(int status, byte[] body) {}

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  HttpConnection(String host, int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
  }

  /** A POST with the given headers (each a full "Name: value" line without CRLF) and body. */
  static byte[] post(String host, String path, byte[] body, String... headers) {
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append("\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[start.length + body.length];
    System.arraycopy(start, 0, request, 0, start.length);
    System.arraycopy(body, 0, request, start.length, body.length);
    return request;
  }

  Response send(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    String status = line();
    if (status.length() < 12 || !status.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    int length = -1;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Integer.parseInt(value);
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        throw new IOException("chunked answers are not expected from this endpoint");
      }
    }
    byte[] body = length <= 0 ? new byte[0] : in.readNBytes(length);
    if (body.length < Math.max(0, length)) {
      throw new IOException("the answer ended early");
    }
    if (close) {
      throw new IOException("the server closed the connection after status " + code);
    }
    return new Response(code, body);
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) c);
    }
    throw new IOException("the connection closed");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

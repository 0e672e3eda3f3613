package dev.odim.uploads;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A PATCH written by hand on a socket, so a test can send part of a body and then break the
 * connection (or leave it hanging), which no HTTP client library lets one do on purpose.
 */
final class RawPatch implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;

  RawPatch(int port, String path, String user, long offset, long contentLength) throws IOException {
    socket = new Socket("127.0.0.1", port);
    out = socket.getOutputStream();
    String head =
        "PATCH "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
            + TusServer.USER
            + ": "
            + user
            + "\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: "
            + offset
            + "\r\nContent-Length: "
            + contentLength
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Breaks the connection with a reset, as a client that lost its network does. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

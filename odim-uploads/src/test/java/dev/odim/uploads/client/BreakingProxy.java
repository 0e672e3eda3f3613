package dev.odim.uploads.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that breaks a connection at a chosen byte: {@link #breakAfter} arms it, and
 * the connection whose client-to-server bytes reach that count (counted from arming, across
 * connections) is closed right there, in the middle of whatever request it carried. The cut is
 * exact, unlike cutting on a timer, so a test can place it inside a PATCH body. The testkit's
 * {@code TcpProxy} cuts everything at once, which suits "the server went away"; this one suits
 * "this request broke".
 */
final class BreakingProxy implements AutoCloseable {
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger breaks = new AtomicInteger();
  private long remaining = -1; // bytes until the break; -1 when disarmed
  private boolean brokeAt; // the last allowance reached the break exactly

  private BreakingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofPlatform().daemon().name("breaking-proxy").start(this::accept);
  }

  static BreakingProxy to(int port) {
    try {
      return new BreakingProxy(port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** Breaks the connection that carries the {@code bytes}-th client byte from now, once. */
  synchronized void breakAfter(long bytes) {
    remaining = bytes;
  }

  /** How many connections were broken. */
  int breaks() {
    return breaks.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        Thread.ofVirtual().start(() -> pipe(client, upstream, true));
        Thread.ofVirtual().start(() -> pipe(upstream, client, false));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to, boolean counted) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        int pass = counted ? allowance(n) : n;
        out.write(buffer, 0, pass);
        out.flush();
        if (pass < n || (counted && brokeHere())) {
          breaks.incrementAndGet();
          return; // the finally closes both sides: the client sees a reset mid-request
        }
      }
    } catch (IOException e) {
      // one side closed: close both below
    } finally {
      close(from);
      close(to);
    }
  }

  /** How many of {@code n} bytes may pass before the break. */
  private synchronized int allowance(int n) {
    if (remaining < 0) {
      return n;
    }
    if (remaining >= n) {
      remaining -= n;
      if (remaining == 0) {
        remaining = -1;
        brokeAt = true;
      }
      return n;
    }
    int pass = (int) remaining;
    remaining = -1;
    return pass;
  }

  private synchronized boolean brokeHere() {
    boolean here = brokeAt;
    brokeAt = false;
    return here;
  }

  private void close(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    for (Socket socket : open) {
      close(socket);
    }
  }
}

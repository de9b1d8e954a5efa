package io.secretless.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * A loopback HTTP upstream for behaviour nginx cannot be told to show: each connection serves one
 * request, answered with what {@code answer} makes of its head (bytes written as they are), then
 * closed.
 */
final class StandInUpstream implements AutoCloseable {
  private final ServerSocket socket;
  private final Thread server;

  StandInUpstream(Function<String, String> answer) throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                      String response = answer.apply(readHead(s.getInputStream()));
                      s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                      s.getOutputStream().flush();
                    } catch (IOException e) {
                      return; // the server socket closed
                    }
                  }
                });
  }

  int port() {
    return socket.getLocalPort();
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  @Override
  public void close() throws Exception {
    socket.close();
    server.join();
  }
}

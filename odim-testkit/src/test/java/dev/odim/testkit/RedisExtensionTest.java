package dev.odim.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisExtensionTest {

  @Test
  void redisAnswersCommands(TestRedis redis) throws IOException {
    assertThat(redis.uri()).startsWith("redis://");
    try (Socket socket = new Socket(redis.host(), redis.port())) {
      socket
          .getOutputStream()
          .write(
              "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nok\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] expected = "+OK\r\n$2\r\nok\r\n".getBytes(StandardCharsets.US_ASCII);
      assertThat(in.readNBytes(expected.length)).isEqualTo(expected);
    }
  }
}

package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secretless config check} exit codes and output. */
class ConfigCheckTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void validFileExitsZero(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("ok.yml");
    Files.writeString(
        f,
        """
        version: "2"
        services:
          db:
            connector: pg
            listenOn: tcp://127.0.0.1:15432
            credentials:
              host: 127.0.0.1
              username: app
              password: { from: env, get: PATH }
        """);
    assertThat(run("config", "check", "-f", f.toString())).isZero();
  }

  @Test
  void brokenFileExitsTwoWithEveryErrorPositioned(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yml");
    Files.writeString(
        f,
        """
        version: "2"
        services:
          db:
            connector: pgx
            listenOn: tcp://127.0.0.1:99999
            credentials:
              password: { from: envv, get: X }
        """);
    assertThat(run("config", "check", "-f", f.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(f + ":4:16: unknown connector 'pgx'; did you mean 'pg'?")
        .contains(f + ":5:15: listenOn port 99999 is out of range 0-65535")
        .contains(f + ":7:25: unknown credential provider 'envv'; did you mean 'env'?");
  }

  @Test
  void missingFileExitsTwoWithAClearMessage(@TempDir Path dir) {
    assertThat(run("config", "check", "-f", dir.resolve("nope.yml").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.yml");
  }
}

package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.pg.message.BackendDecoder;
import io.secretless.pg.message.BackendMessage;
import io.secretless.pg.message.ErrorResponse;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed or unsupported client packets get a FATAL ErrorResponse (08P01) and a closed
 * connection. No backend is involved: the broker refuses before fetching credentials. Credentials
 * that cannot be had or make no valid settings get one too (08001), whether they were resolved on
 * the event loop (literal, env) or on a virtual thread (file).
 */
class ClientProtocolTest {
  private static final Position HERE = Position.unknown("t");
  private static final Map<String, String> NOWHERE =
      Map.of("host", "127.0.0.1", "port", "1", "username", "u", "sslmode", "disable");

  private static TestBroker broker() {
    return broker(ConfigTree.empty(Position.unknown("t")));
  }

  private static TestBroker broker(ConfigTree config) {
    return TestBroker.start(
        PgServers.service("pg-unit", new ListenAddress.Tcp("127.0.0.1", 0), NOWHERE, config));
  }

  /** Sends {@code bytes}, reads until the broker closes; returns the raw answer. */
  private static byte[] exchange(int port, byte[] bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return socket.getInputStream().readAllBytes(); // ends at EOF: the broker closed
    }
  }

  private static List<BackendMessage> messages(byte[] answer) {
    var in = Unpooled.wrappedBuffer(answer);
    List<BackendMessage> out = new ArrayList<>();
    while (in.readableBytes() >= 5) {
      byte tag = in.readByte();
      int length = in.readInt();
      out.add(BackendDecoder.decodeBody(tag, in.readSlice(length - 4)));
    }
    assertThat(in.readableBytes()).isZero();
    return out;
  }

  private static byte[] packet(int length, int code, byte... rest) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(length);
    out.writeInt(code);
    out.write(rest);
    return bytes.toByteArray();
  }

  private static ErrorResponse onlyError(byte[] answer) {
    List<BackendMessage> messages = messages(answer);
    assertThat(messages).hasSize(1).first().isInstanceOf(ErrorResponse.class);
    return (ErrorResponse) messages.get(0);
  }

  @ParameterizedTest(name = "length {0}")
  @ValueSource(ints = {0, 3, 7, 10_001, 1 << 30, -8})
  void fuzzedLengthsGetAProtocolErrorAndAClosedConnection(int length) throws Exception {
    try (TestBroker broker = broker()) {
      ErrorResponse error = onlyError(exchange(broker.port(), packet(length, 196608)));
      assertThat(error.sqlState()).isEqualTo("08P01");
      assertThat(error.severity()).isEqualTo("FATAL");
      assertThat(error.message())
          .startsWith("secretless: service pg-unit: invalid startup packet length " + length);
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.failures("client_protocol") == 1);
    }
  }

  @ParameterizedTest(name = "version code {0}")
  @ValueSource(ints = {0x20000, 0x40000, 1234, 0})
  void unknownProtocolVersionsAreRefused(int code) throws Exception {
    try (TestBroker broker = broker()) {
      ErrorResponse error = onlyError(exchange(broker.port(), packet(9, code, (byte) 0)));
      assertThat(error.sqlState()).isEqualTo("08P01");
      assertThat(error.message()).contains("unsupported frontend protocol");
    }
  }

  @Test
  void startupPacketWithoutTerminatorIsRefused() throws Exception {
    try (TestBroker broker = broker()) {
      ErrorResponse error =
          onlyError(
              exchange(
                  broker.port(),
                  packet(12, 196608, (byte) 'u', (byte) 's', (byte) 'e', (byte) 'r')));
      assertThat(error.message()).contains("invalid startup packet layout");
    }
  }

  @Test
  void sslAndGssencRequestsAreAnsweredNoWithoutClientTls() throws Exception {
    try (TestBroker broker = broker();
        Socket socket = new Socket("127.0.0.1", broker.port())) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      socket.getOutputStream().write(packet(8, 80877104));
      assertThat(in.read()).isEqualTo('N');
      socket.getOutputStream().write(packet(8, 80877103));
      assertThat(in.read()).isEqualTo('N');
      socket.getOutputStream().write(packet(8, 80877103));
      ErrorResponse error = onlyError(in.readAllBytes());
      assertThat(error.message()).contains("duplicate SSLRequest");
    }
  }

  @Test
  void bytesPipelinedAfterAnSslRequestAreRefusedWhenTlsIsOffered() throws Exception {
    Position at = Position.unknown("t");
    ConfigTree tls =
        new ConfigTree(
            Map.of("cert", resource("unit.crt"), "key", resource("unit.key")), Map.of(), at);
    try (TestBroker broker = broker(new ConfigTree(Map.of("tls", tls), Map.of(), at))) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(packet(8, 80877103));
      both.write(packet(9, 196608, (byte) 0));
      ErrorResponse error = onlyError(exchange(broker.port(), both.toByteArray()));
      assertThat(error.message()).contains("unencrypted data after SSLRequest");
    }
  }

  static String resource(String name) throws Exception {
    return Path.of(ClientProtocolTest.class.getResource("/tls/" + name).toURI()).toString();
  }

  @Test
  void cancelRequestWithAnUnknownKeyIsClosedWithoutAnswer() throws Exception {
    try (TestBroker broker = broker()) {
      assertThat(exchange(broker.port(), packet(16, 80877102, new byte[8]))).isEmpty();
      assertThat(broker.failures()).isZero();
    }
  }

  @Test
  void newerProtocolMinorIsNegotiatedDownBeforeTheLoginResult() throws Exception {
    try (TestBroker broker = broker()) {
      byte[] option = "_pq_.x\0y\0\0".getBytes();
      List<BackendMessage> answer =
          messages(exchange(broker.port(), packet(8 + option.length, 0x30002, option)));
      assertThat(answer.get(0))
          .isEqualTo(new io.secretless.pg.message.NegotiateProtocolVersion(0, List.of("_pq_.x")));
      assertThat(((ErrorResponse) answer.get(1)).message())
          .isEqualTo(
              "secretless: service pg-unit: cannot connect to backend 127.0.0.1:1: connection refused");
    }
  }

  @Test
  void silentBackendEndsInAnErrorBeforeTheHandshakeTimeout() throws Exception {
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Position at = Position.unknown("t");
      ConfigTree config = new ConfigTree(Map.of("handshakeTimeout", "1s"), Map.of(), at);
      Map<String, String> creds =
          Map.of(
              "host", "127.0.0.1",
              "port", String.valueOf(silent.getLocalPort()),
              "username", "u",
              "sslmode", "require");
      try (TestBroker broker =
          TestBroker.start(
              PgServers.service("pg-slow", new ListenAddress.Tcp("127.0.0.1", 0), creds, config))) {
        // exchange() reads with a 10 s socket timeout: a hang fails the test
        ErrorResponse error = onlyError(exchange(broker.port(), packet(9, 196608, (byte) 0)));
        assertThat(error.sqlState()).isEqualTo("08001");
        assertThat(error.message())
            .isEqualTo(
                "secretless: service pg-slow: login to the backend did not finish within 900 ms"
                    + " (handshakeTimeout)");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.failures("timeout") == 1);
      }
    }
  }

  /** The error for a startup with NOWHERE's credentials, a password, and {@code name} from ref. */
  private static ErrorResponse credentialError(String name, CredentialRef ref) throws Exception {
    Map<String, CredentialRef> refs = new LinkedHashMap<>();
    NOWHERE.forEach((k, v) -> refs.put(k, new CredentialRef.Literal(Secret.of(v), HERE)));
    refs.put("password", new CredentialRef.Literal(Secret.of("Cred-Canary-3c9"), HERE));
    refs.put(name, ref);
    ServiceConfig service =
        new ServiceConfig(
            "pg-unit",
            "pg",
            new ListenAddress.Tcp("127.0.0.1", 0),
            refs,
            ConfigTree.empty(HERE),
            Map.of(),
            List.of(),
            HERE);
    try (TestBroker broker = TestBroker.start(service)) {
      ErrorResponse error = onlyError(exchange(broker.port(), packet(9, 196608, (byte) 0)));
      assertThat(error.sqlState()).isEqualTo("08001");
      assertThat(error.severity()).isEqualTo("FATAL");
      assertThat(error.message()).doesNotContain("Cred-Canary-3c9");
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.failures("credentials") == 1);
      return error;
    }
  }

  @Test
  void anUnsetEnvironmentVariableIsCannotConnectNamingServiceAndCredential() throws Exception {
    var unset = new CredentialRef.FromProvider("env", "SECRETLESS_TEST_UNSET_VARIABLE", HERE);
    assertThat(credentialError("username", unset).message())
        .isEqualTo(
            "secretless: service pg-unit: credential 'username' from env: environment variable"
                + " SECRETLESS_TEST_UNSET_VARIABLE is not set");
  }

  @Test
  void aMissingCredentialFileIsCannotConnectNamingServiceAndCredential() throws Exception {
    var missing = new CredentialRef.FromProvider("file", "/nonexistent/username", HERE);
    assertThat(credentialError("username", missing).message())
        .isEqualTo(
            "secretless: service pg-unit: credential 'username' from file: file"
                + " /nonexistent/username does not exist");
  }

  @Test
  void anInvalidPortIsCannotConnectBeforeAnyBackend() throws Exception {
    var port = new CredentialRef.Literal(Secret.of("seventy"), HERE);
    assertThat(credentialError("port", port).message())
        .isEqualTo(
            "secretless: service pg-unit: credential 'port' is 'seventy', expected a number from 1"
                + " to 65535");
  }

  @Test
  void tlsConfigWithAMissingFileFailsAtOpenNamingTheService() {
    Position at = Position.unknown("t");
    ConfigTree tls =
        new ConfigTree(
            Map.of("cert", "/nonexistent/cert.pem", "key", "/nonexistent/key.pem"), Map.of(), at);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> broker(new ConfigTree(Map.of("tls", tls), Map.of(), at)))
        .hasMessageContaining("service pg-unit: config.tls: cannot load certificate or key")
        .hasMessageContaining("/nonexistent/cert.pem");
    assertThat(Files.exists(Path.of("/nonexistent"))).isFalse();
  }
}

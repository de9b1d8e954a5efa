package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.token.TrustedIssuer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External token issuers and HTTPS. */
class IdentityIT {
  @TempDir Path dir;

  private WarehouseConfig base() {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    return WarehouseConfig.defaults(dir)
        .withListen("127.0.0.1", 0)
        .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")));
  }

  private static String token(RSAKey key, String issuer, String audience, List<String> roles)
      throws Exception {
    var claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject("ext-agent")
            .issueTime(new Date())
            .expirationTime(new Date(System.currentTimeMillis() + 60_000))
            .claim("roles", roles)
            .build();
    var jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Test
  void tokensOfATrustedExternalIssuerAreAcceptedAndOthersRefused() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("ext-1").generate();
    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks.createContext(
        "/jwks",
        ex -> {
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    jwks.start();
    String issuer = "https://idp.test";
    var trusted =
        new TrustedIssuer(
            issuer,
            "warehouse-aud",
            URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"));
    var config =
        base().withTokens(Duration.ofMinutes(5), Optional.empty(), false, List.of(trusted));
    try (var node = WarehouseNode.open(config, "unused");
        var server = ApiServer.start(node, config)) {
      var api = new TestApi(server.baseUrl());
      String good = token(key, issuer, "warehouse-aud", List.of("admin"));
      var stored =
          api.post(good, "/v1/credentials", Map.of("name", "ext", "data", Map.of("k", "v")));
      assertThat(stored.status()).isEqualTo(201);
      assertThat(stored.body().path("owner").asText()).isEqualTo("ext-agent");
      assertThat(api.get(token(key, issuer, "other-aud", List.of()), "/v1/credentials").status())
          .isEqualTo(401);
      assertThat(
              api.get(
                      token(key, "https://evil.test", "warehouse-aud", List.of()),
                      "/v1/credentials")
                  .status())
          .isEqualTo(401);
      RSAKey stranger = new RSAKeyGenerator(2048).keyID("ext-1").generate();
      assertThat(
              api.get(token(stranger, issuer, "warehouse-aud", List.of()), "/v1/credentials")
                  .status())
          .isEqualTo(401);
      // the local token endpoint is off
      assertThat(api.tokenRequest("x", "y", false).status()).isEqualTo(404);
    } finally {
      jwks.stop(0);
    }
  }

  @Test
  void servesHttpsFromAPkcs12KeyStore() throws Exception {
    Path ks = dir.resolve("tls.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "wh",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
    var config =
        base()
            .withTls(
                Optional.of(
                    io.secretless.warehouse.api.TlsMaterial.pkcs12(ks, "changeit".toCharArray())));
    try (var node = WarehouseNode.open(config, "unused");
        var server = ApiServer.start(node, config)) {
      assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (var in = new FileInputStream(ks.toFile())) {
        trust.load(in, "changeit".toCharArray());
      }
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
      HttpResponse<String> r =
          https.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"status\":\"ok\"");
    }
  }

  @Test
  void servesHttpsFromPemCertificateAndKey() throws Exception {
    var pair = java.security.KeyPairGenerator.getInstance("EC");
    pair.initialize(256);
    var keys = pair.generateKeyPair();
    var name = new org.bouncycastle.asn1.x500.X500Name("CN=127.0.0.1");
    var now = new Date();
    var builder =
        new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
            name,
            java.math.BigInteger.ONE,
            now,
            new Date(now.getTime() + 86_400_000L),
            name,
            keys.getPublic());
    builder.addExtension(
        org.bouncycastle.asn1.x509.Extension.subjectAlternativeName,
        false,
        new org.bouncycastle.asn1.x509.GeneralNames(
            new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")));
    var cert =
        new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(keys.getPrivate())));
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    try (var w =
        new org.bouncycastle.openssl.jcajce.JcaPEMWriter(
            java.nio.file.Files.newBufferedWriter(certFile))) {
      w.writeObject(cert);
    }
    // PKCS#8, as `openssl genpkey` writes it.
    java.nio.file.Files.writeString(
        keyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    var config =
        base().withTls(Optional.of(io.secretless.warehouse.api.TlsMaterial.pem(certFile, keyFile)));
    try (var node = WarehouseNode.open(config, "unused");
        var server = ApiServer.start(node, config)) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("warehouse", cert);
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .sslContext(ssl)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/openapi.json")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }
}

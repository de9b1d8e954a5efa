package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import io.secretless.pg.message.AuthenticationCleartextPassword;
import io.secretless.pg.message.AuthenticationMD5Password;
import io.secretless.pg.message.AuthenticationOk;
import io.secretless.pg.message.AuthenticationSASL;
import io.secretless.pg.message.AuthenticationSASLContinue;
import io.secretless.pg.message.AuthenticationSASLFinal;
import io.secretless.pg.message.AuthenticationUnsupported;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.ErrorResponse;
import io.secretless.pg.message.FrontendMessage;
import io.secretless.pg.message.NegotiateProtocolVersion;
import io.secretless.pg.message.NoticeResponse;
import io.secretless.pg.message.ParameterStatus;
import io.secretless.pg.message.ReadyForQuery;
import io.secretless.pg.message.StartupMessage;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Logs in to the backend with the service's credentials: StartupMessage, then whatever
 * authentication the backend asks for (trust, cleartext, MD5, SCRAM-SHA-256[-PLUS]). Once
 * AuthenticationOk arrives, the client gets it, then the backend's ParameterStatus and
 * NoticeResponse messages, the broker's BackendKeyData and ReadyForQuery, and the connection is
 * handed to the relay.
 */
final class BackendLogin extends ChannelInboundHandlerAdapter {
  private final PgHandshake handshake;
  private final BackendSettings settings;
  private final Map<String, String> startupParameters;
  private ChannelHandlerContext ctx;
  private ScramSha256Auth scram;
  private boolean authenticated;

  BackendLogin(
      PgHandshake handshake, BackendSettings settings, Map<String, String> startupParameters) {
    this.handshake = handshake;
    this.settings = settings;
    this.startupParameters = startupParameters;
  }

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * The StartupMessage's parameters: the credential's user, the client's parameters, then ours. The
   * client's {@code user} and its protocol options ({@code _pq_.*}, which the broker declines) are
   * left out.
   */
  static Map<String, String> startupParameters(
      BackendSettings settings, Map<String, String> clientParameters) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("user", settings.username());
    clientParameters.forEach(
        (name, value) -> {
          if (!name.equals("user") && !StartupMessage.isProtocolOption(name)) {
            parameters.put(name, value);
          }
        });
    parameters.putAll(settings.startupParameters()); // the credentials decide
    parameters.put("user", settings.username());
    return parameters;
  }

  /** Sends the StartupMessage. */
  void start() {
    send(new StartupMessage(StartupMessage.PROTOCOL_3_0, startupParameters));
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      handshake.heldFromBackend(bytes); // after ReadyForQuery, when the decoder is removed
      return;
    }
    if (handshake.over()) {
      return;
    }
    try {
      handle(msg);
    } catch (PgException e) {
      handshake.fail(e);
    }
  }

  private void handle(Object msg) {
    switch (msg) {
      case AuthenticationOk ok -> {
        if (scram != null && !scram.verified()) {
          throw PgException.backendProtocol(
              "backend sent AuthenticationOk before completing SCRAM authentication");
        }
        authenticated = true;
        handshake.authenticated();
        handshake.writeToClient(ok);
      }
      case AuthenticationCleartextPassword m -> send(CleartextPasswordAuth.respond(password()));
      case AuthenticationMD5Password m ->
          send(Md5PasswordAuth.respond(settings.username(), password(), m.salt()));
      case AuthenticationSASL m -> {
        scram =
            ScramSha256Auth.start(
                m, password(), serverCertificate(), handshake.connector().scramKeys());
        send(scram.initialResponse());
      }
      case AuthenticationSASLContinue m -> scramContinue(scram(), m);
      case AuthenticationSASLFinal m -> scram().verify(m);
      case AuthenticationUnsupported m ->
          throw new PgException(
              FailureReason.BACKEND_AUTH,
              PgException.CANNOT_CONNECT,
              "backend "
                  + settings.address()
                  + " asks for "
                  + m.method()
                  + " authentication, which the broker does not support");
      case ErrorResponse e -> throw rejected(e);
      case ParameterStatus m -> {
        afterAuthentication(m).writeToClient(m);
        handshake.loginParameter(m);
      }
      case NoticeResponse m -> {
        if (authenticated) {
          handshake.writeToClient(m);
        }
      }
      case BackendKeyData m -> {
        afterAuthentication(m)
            .writeToClient(handshake.connector().cancelKeys().register(handshake.client(), m));
        handshake.backendKey(m);
      }
      case ReadyForQuery m -> {
        afterAuthentication(m).writeToClient(m);
        handshake.relay();
      }
      case NegotiateProtocolVersion m -> {
        // We ask for 3.0 without options: nothing to negotiate.
      }
      default -> throw PgException.backendProtocol("unexpected message " + msg);
    }
  }

  /** Answers from cached keys, or runs PBKDF2 on the blocking executor first. */
  private void scramContinue(ScramSha256Auth exchange, AuthenticationSASLContinue message) {
    if (exchange.serverFirst(message)) {
      send(exchange.clientFinal());
      return;
    }
    CompletableFuture.runAsync(exchange::deriveKeys, handshake.connector().blocking())
        .whenCompleteAsync(
            (done, error) -> {
              if (handshake.over()) {
                return;
              }
              try {
                if (error != null) {
                  throw PgException.of(error, FailureReason.BACKEND_PROTOCOL);
                }
                send(exchange.clientFinal());
              } catch (PgException e) {
                handshake.fail(e);
              }
            },
            ctx.channel().eventLoop());
  }

  private PgHandshake afterAuthentication(Object message) {
    if (!authenticated) {
      throw PgException.backendProtocol(
          "backend sent " + message.getClass().getSimpleName() + " before AuthenticationOk");
    }
    return handshake;
  }

  private PgException rejected(ErrorResponse error) {
    String code = error.sqlState();
    FailureReason reason =
        code.equals("53300") || code.equals("57P03") || code.startsWith("08")
            ? FailureReason.BACKEND_UNREACHABLE
            : FailureReason.BACKEND_AUTH;
    return new PgException(
        reason,
        code,
        "backend "
            + settings.address()
            + " rejected user "
            + settings.username()
            + ": "
            + error.message());
  }

  private Secret password() {
    return settings
        .password()
        .orElseThrow(
            () ->
                new PgException(
                    FailureReason.CREDENTIALS,
                    PgException.INVALID_PASSWORD,
                    "backend "
                        + settings.address()
                        + " asks user "
                        + settings.username()
                        + " for a password, but the service has no 'password' credential"));
  }

  private ScramSha256Auth scram() {
    if (scram == null) {
      throw PgException.backendProtocol("backend continued a SASL exchange it did not start");
    }
    return scram;
  }

  private Optional<X509Certificate> serverCertificate() {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return Optional.empty();
    }
    try {
      return ssl.engine().getSession().getPeerCertificates()[0] instanceof X509Certificate c
          ? Optional.of(c)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private void send(FrontendMessage message) {
    ctx.writeAndFlush(PgHandshake.encode(ctx.channel(), message))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!handshake.over()) {
      ctx.read();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handshake.fail(
        new PgException(
            FailureReason.BACKEND_PROTOCOL,
            PgException.CANNOT_CONNECT,
            "backend " + settings.address() + " closed the connection during login"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    handshake.fail(PgException.of(cause, FailureReason.BACKEND_PROTOCOL));
  }
}

package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * A message a frontend (client) sends: what the broker reads from the application during startup
 * and writes to the backend when it logs in. See <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message Formats</a>.
 */
public sealed interface FrontendMessage
    permits StartupMessage,
        SSLRequest,
        GSSENCRequest,
        CancelRequest,
        PasswordMessage,
        SASLInitialResponse,
        SASLResponse,
        Query,
        Terminate {
  /** Appends the message in wire format. */
  void encode(ByteBuf out);
}

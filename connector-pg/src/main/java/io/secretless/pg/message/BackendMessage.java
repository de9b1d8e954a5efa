package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * A message a backend (server) sends during startup: what the broker reads from PostgreSQL while it
 * logs in, and the ones it writes to the application itself. See <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message Formats</a>.
 */
public sealed interface BackendMessage
    permits Authentication,
        ParameterStatus,
        BackendKeyData,
        ReadyForQuery,
        ErrorResponse,
        NoticeResponse,
        NegotiateProtocolVersion,
        SslResponse {
  /** Appends the message in wire format. */
  void encode(ByteBuf out);
}

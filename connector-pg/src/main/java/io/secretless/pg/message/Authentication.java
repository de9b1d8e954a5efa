package io.secretless.pg.message;

/**
 * The {@code R} messages: the backend's authentication requests and its final {@code
 * AuthenticationOk}. The int after the length says which one.
 */
public sealed interface Authentication extends BackendMessage
    permits AuthenticationOk,
        AuthenticationCleartextPassword,
        AuthenticationMD5Password,
        AuthenticationSASL,
        AuthenticationSASLContinue,
        AuthenticationSASLFinal,
        AuthenticationUnsupported {
  int OK = 0;
  int CLEARTEXT_PASSWORD = 3;
  int MD5_PASSWORD = 5;
  int SASL = 10;
  int SASL_CONTINUE = 11;
  int SASL_FINAL = 12;
}

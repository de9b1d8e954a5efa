package io.secretless.config;

import java.util.Optional;

/**
 * The {@code authentication: - type: oauth2} block of the list form: how the broker obtains an
 * access token (client-credentials grant) that header templates use as {@code {{ .access_token }}}.
 *
 * @param clientAuth {@code client_secret_basic} (default), {@code client_secret_post} or {@code
 *     private_key_jwt}
 * @param config the whole block's {@code config} mapping, for options beyond the common ones
 */
public record OAuth2Authentication(
    String tokenUrl,
    String clientId,
    CredentialRef clientSecret,
    Optional<String> scope,
    String clientAuth,
    ConfigTree config,
    Position position) {}

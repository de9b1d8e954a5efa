package io.secretless.warehouse.token;

import java.net.URI;

/** An external OAuth2/OIDC issuer whose tokens the warehouse accepts. */
public record TrustedIssuer(String issuer, String audience, URI jwksUrl) {}

package io.secretless.connector;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;

/**
 * What the broker gives a connector when opening it.
 *
 * @param meters the broker's registry, for connector-specific metrics (never a secret in a tag)
 * @param blocking runs blocking work (credential fetch, token requests) on virtual threads
 */
public record ConnectorContext(MeterRegistry meters, Executor blocking) {}

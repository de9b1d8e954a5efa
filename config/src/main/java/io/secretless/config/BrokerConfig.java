package io.secretless.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded and validated secretless.yml.
 *
 * @param warnings things the user should know but that do not stop the broker (v1 deprecation, a
 *     token that will be sent to any host), each already prefixed with its position
 */
public record BrokerConfig(Path source, List<ServiceConfig> services, List<String> warnings) {}

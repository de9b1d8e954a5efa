package io.secretless.warehouse.cli;

import io.secretless.core.SecretlessException;

/** A CLI failure with a message fit for the terminal; exit code 1. */
final class CliException extends SecretlessException {
  CliException(String message) {
    super(message);
  }
}

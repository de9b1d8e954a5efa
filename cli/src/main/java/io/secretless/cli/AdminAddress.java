package io.secretless.cli;

import io.secretless.config.ListenAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --admin-address HOST:PORT}; {@code off} disables the admin listener. */
final class AdminAddress implements ITypeConverter<ListenAddress.Tcp> {
  static final String DEFAULT = "127.0.0.1:5335";

  @Override
  public ListenAddress.Tcp convert(String value) {
    try {
      if (ListenAddress.parse(value) instanceof ListenAddress.Tcp tcp) {
        return tcp;
      }
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
    throw new TypeConversionException("the admin address must be HOST:PORT, got " + value);
  }
}

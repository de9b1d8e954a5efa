package io.secretless.credentials;

import io.secretless.core.Secret;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code from: file}: the whole contents of a file, read on every resolution (so a rotated file is
 * picked up). Exactly one trailing line break ({@code \n} or {@code \r\n}) is removed, since {@code
 * echo secret > file} adds one that is never part of a password; any other whitespace is kept. PEM
 * contents are unaffected by this.
 *
 * <p>It {@linkplain #blocks() blocks}: a read waits on the file system, which for the places
 * secrets are mounted (network file systems, FUSE and CSI secret drivers) can take milliseconds or
 * hang, and an event loop must not wait on it.
 */
public final class FileProvider implements CredentialProvider {
  @Override
  public String name() {
    return "file";
  }

  @Override
  public Secret get(String id) {
    Path path = Path.of(id);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new CredentialException("file " + path + " does not exist");
    } catch (AccessDeniedException e) {
      throw new CredentialException("file " + path + " is not readable by this process");
    } catch (IOException e) {
      throw new CredentialException("file " + path + " could not be read: " + e.getMessage());
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    byte[] trimmed = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    try {
      return Secret.of(trimmed);
    } finally {
      Arrays.fill(trimmed, (byte) 0);
    }
  }

  @Override
  public boolean blocks() {
    return true;
  }
}

package dev.ocomms.shared.config;

/** A setting is unknown or invalid; the message names it and says what is expected. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}

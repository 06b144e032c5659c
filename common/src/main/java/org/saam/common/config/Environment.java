package org.saam.common.config;

import java.net.URI;
import java.util.Map;

/**
 * Typed reading of configuration from environment variables, for the services' config records:
 * every getter has a default and a check, and a bad value is refused with a sentence naming the
 * variable and what it must be.
 */
public final class Environment {
  /** A variable is missing or malformed; the message names it. */
  public static final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
      super(message);
    }
  }

  private final Map<String, String> variables;

  public Environment(Map<String, String> variables) {
    this.variables = variables;
  }

  /** A non-empty string, trimmed. */
  public String text(String key, String fallback) {
    String value = variables.getOrDefault(key, fallback);
    if (value == null || value.isBlank()) {
      throw new InvalidConfigException(key + " must not be empty");
    }
    return value.trim();
  }

  /**
   * A secret: as set, or {@code localValue} in local mode ({@link LocalMode}); outside local mode
   * an unset secret is refused naming the variable.
   */
  public String secret(String key, String localValue) {
    return LocalMode.secret(variables, key, localValue);
  }

  /** Whether local mode is on ({@link LocalMode}). */
  public boolean localMode() {
    return LocalMode.on(variables);
  }

  /** An optional string: {@code null} when unset or blank. */
  public String optional(String key) {
    String value = variables.get(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** A whole number in {@code [min, max]}. */
  public int integer(String key, int fallback, int min, int max) {
    String value = variables.get(key);
    int number;
    try {
      number = value == null ? fallback : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(key + " must be a whole number, was '" + value + "'");
    }
    if (number < min || number > max) {
      throw new InvalidConfigException(
          key + " must be between " + min + " and " + max + ", was " + number);
    }
    return number;
  }

  /** A URL with a host whose scheme starts with {@code scheme} (so "http" allows https). */
  public URI url(String key, String fallback, String scheme) {
    String value = text(key, fallback);
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || !uri.getScheme().startsWith(scheme) || uri.getHost() == null) {
        throw new InvalidConfigException(
            key + " must be a " + scheme + ":// URL with a host, was '" + value + "'");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(key + " is not a URL: '" + value + "'");
    }
  }

  /** An optional URL, checked as {@link #url}: {@code null} when unset or blank. */
  public URI optionalUrl(String key, String scheme) {
    return optional(key) == null ? null : url(key, null, scheme);
  }

  /** A string that must start with {@code prefix}. */
  public String prefixed(String key, String fallback, String prefix) {
    String value = text(key, fallback);
    if (!value.startsWith(prefix)) {
      throw new InvalidConfigException(
          key + " must start with " + prefix + ", was '" + value + "'");
    }
    return value;
  }
}

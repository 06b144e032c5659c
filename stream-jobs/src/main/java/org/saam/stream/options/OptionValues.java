package org.saam.stream.options;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.saam.common.config.Environment;
import org.saam.common.config.LocalMode;

/**
 * The option values given to a job ({@code --key value} arguments) and its environment, read as
 * typed values with errors that name the option and the value.
 */
public final class OptionValues {
  private final Map<String, String> values;
  private final Map<String, String> environment;

  /**
   * @param values option values by key (without {@code --})
   * @param environment where secrets and some addresses may come from instead
   */
  public OptionValues(Map<String, String> values, Map<String, String> environment) {
    this.values = Map.copyOf(values);
    this.environment = Map.copyOf(environment);
  }

  /** The value of {@code key}, else {@code fallback}. */
  public String text(String key, String fallback) {
    String value = values.get(key);
    return value == null ? fallback : value;
  }

  /** The value of {@code key}, else the environment variable, else {@code fallback}. */
  public String text(String key, String variable, String fallback) {
    String value = values.get(key);
    if (value != null) {
      return value;
    }
    String fromEnvironment = environment.get(variable);
    return fromEnvironment == null ? fallback : fromEnvironment;
  }

  /**
   * A secret: the value of {@code key}, else the environment variable, else in local mode ({@link
   * LocalMode}) {@code localValue}; outside local mode a secret given neither way is refused naming
   * both.
   */
  public String secret(String key, String variable, String localValue) {
    String value = values.get(key);
    if (value != null) {
      if (value.isBlank()) {
        throw new IllegalArgumentException("option --" + key + " must not be empty");
      }
      return value;
    }
    try {
      return LocalMode.secret(environment, variable, localValue);
    } catch (Environment.InvalidConfigException missing) {
      throw new IllegalArgumentException("--" + key + " is not given and " + missing.getMessage());
    }
  }

  /** A whole number. */
  public int integer(String key, int fallback) {
    return (int) whole(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** A whole number of milliseconds. */
  public Duration millis(String key, Duration fallback) {
    return Duration.ofMillis(whole(key, fallback.toMillis(), Long.MIN_VALUE, Long.MAX_VALUE));
  }

  /** {@code true} or {@code false}, nothing else. */
  public boolean bool(String key, boolean fallback) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(
          "option --" + key + " must be true or false, was '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  /** An ISO-8601 instant such as {@code 2000-01-01T00:00:00Z}. */
  public Instant instant(String key, Instant fallback) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "option --"
              + key
              + " must be an ISO-8601 instant like 2000-01-01T00:00:00Z, was '"
              + value
              + "'");
    }
  }

  private long whole(String key, long fallback, long min, long max) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < min || parsed > max) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option --" + key + " must be a whole number, was '" + value + "'");
    }
  }

  // Checks shared by the option records; each throws naming the option.

  static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("option --" + key + " must not be empty");
    }
  }

  static void range(long value, long min, long max, String key) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "option --" + key + " must be between " + min + " and " + max + ", was " + value);
    }
  }

  static void scheme(String value, String key, String... schemes) {
    for (String scheme : schemes) {
      if (value.startsWith(scheme)) {
        return;
      }
    }
    throw new IllegalArgumentException(
        "option --" + key + " must start with " + String.join(" or ", schemes));
  }

  static void readableFile(String path, String key) {
    if (path == null) {
      return;
    }
    java.nio.file.Path file;
    try {
      file = java.nio.file.Path.of(path);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(
          "option --" + key + " is not a file path: " + e.getReason());
    }
    if (path.isBlank()
        || !java.nio.file.Files.isRegularFile(file)
        || !java.nio.file.Files.isReadable(file)) {
      throw new IllegalArgumentException(
          "option --" + key + " names " + path + ", which is not a readable file");
    }
  }
}

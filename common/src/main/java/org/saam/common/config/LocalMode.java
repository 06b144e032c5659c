package org.saam.common.config;

import java.util.Map;

/**
 * The switch between the local stack and every other deployment. Only in local mode may a secret
 * fall back to its well-known local value ({@code <client>-local-secret}, the demo passwords), may
 * Keycloak get the demo accounts, and may the public command-line client use the password grant.
 * Anywhere else a forgotten variable stops the program with a sentence naming it, instead of
 * leaving a secret that anyone who reads this repository knows.
 *
 * <p>{@code ./saam} turns it on for the processes it starts ({@code SAAM_LOCAL_MODE=true}); nothing
 * in the Kubernetes deployment does.
 */
public final class LocalMode {
  /** The environment variable; {@code true} (any case) or {@code 1} turns local mode on. */
  public static final String VARIABLE = "SAAM_LOCAL_MODE";

  private LocalMode() {}

  /** Whether {@code environment} turns local mode on. */
  public static boolean on(Map<String, String> environment) {
    String value = environment.get(VARIABLE);
    return value != null && (value.trim().equalsIgnoreCase("true") || value.trim().equals("1"));
  }

  /** Whether this process runs in local mode. */
  public static boolean on() {
    return on(System.getenv());
  }

  /**
   * The value of the secret {@code variable}: as set, or in local mode {@code localValue} when
   * unset; outside local mode an unset or blank secret is refused naming the variable.
   */
  public static String secret(Map<String, String> environment, String variable, String localValue) {
    String value = environment.get(variable);
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    if (on(environment)) {
      return localValue;
    }
    throw new Environment.InvalidConfigException(missing(variable));
  }

  /** The sentence for a secret that is not set outside local mode. */
  public static String missing(String variable) {
    return variable
        + " is not set. Outside local mode every secret must be given; only "
        + VARIABLE
        + "=true (which ./saam sets for the local stack) allows the well-known local values.";
  }
}

package org.saam.ingestion.simulator;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Faults the simulator can inject, for testing the pipeline. A fault never removes or changes a
 * valid reading: it reorders, repeats, or adds something the pipeline must refuse, so the ground
 * truth holds whatever is switched on.
 */
public enum FaultKind {
  /** The batch's readings are shuffled and it is sent after the next batch (its seq late). */
  OUT_OF_ORDER,
  /** The batch is sent twice (same seq): at-least-once delivery as a gateway may cause it. */
  DUPLICATES,
  /** An extra message: the batch's JSON cut in half. Quarantined as {@code malformed_json}. */
  MALFORMED_JSON,
  /** An extra reading with a source the catalogue does not know ({@code unknown_source}). */
  UNKNOWN_SOURCE,
  /** An extra reading of {@code bracelet.hr} at 400 bpm ({@code out_of_range}). */
  OUT_OF_RANGE,
  /**
   * An extra copy of the batch naming another location in the payload ({@code location_mismatch}).
   */
  WRONG_LOCATION,
  /** An extra message over the 256 KiB payload limit ({@code oversize_batch}). */
  OVERSIZE_BATCH;

  /** The command-line name, for example {@code out-of-order}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a comma-separated list such as {@code duplicates,malformed-json}, or {@code all}. */
  public static Set<FaultKind> parseList(String list) {
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    if (list == null || list.isBlank() || list.equals("none")) {
      return kinds;
    }
    if (list.equals("all")) {
      return EnumSet.allOf(FaultKind.class);
    }
    for (String name : list.split(",")) {
      FaultKind kind = null;
      for (FaultKind candidate : values()) {
        if (candidate.optionName().equals(name.trim())) {
          kind = candidate;
        }
      }
      if (kind == null) {
        throw new IllegalArgumentException(
            "unknown fault '" + name.trim() + "'; faults: " + names() + ", all, none");
      }
      kinds.add(kind);
    }
    return kinds;
  }

  public static String names() {
    StringBuilder names = new StringBuilder();
    for (FaultKind kind : values()) {
      names.append(names.length() == 0 ? "" : ", ").append(kind.optionName());
    }
    return names.toString();
  }
}

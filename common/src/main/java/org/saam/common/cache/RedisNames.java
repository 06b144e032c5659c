package org.saam.common.cache;

/** The Redis names the user service writes and the pipeline reads: one definition for both. */
public final class RedisNames {
  private RedisNames() {}

  /** Channel of assignment changes; the message is the location id. */
  public static final String ASSIGNMENTS_CHANNEL = "saam:assignments";

  /** Channel of erasures; the message is the erased person's user id. */
  public static final String ERASURES_CHANNEL = "saam:erasures";

  /** Key of a location's cached assignment list. */
  public static String locationKey(String locationId) {
    return "saam:loc:" + locationId;
  }
}

package org.saam.stream.functions;

/**
 * What the compute-features operator keeps of a person besides their readings and due times, in one
 * value so that a reading reads and writes it once: the home and time zone of their latest readings
 * and their own clock ({@link PersonClock}). A Flink POJO: fields can be added in a later version
 * and a savepoint of this one still restores.
 */
public final class PersonState {
  /** A time that is not set. */
  public static final long NONE = Long.MIN_VALUE;

  /** The person's time zone, from their latest reading's assignment. */
  public String zone;

  /** The home of their latest reading. */
  public String location;

  /** The newest reading's timestamp, or {@link #NONE}. */
  public long newest = NONE;

  /** Whether the home has been idle since its newest reading. */
  public boolean idle;

  /** The end of the last window closed because the home was quiet, or {@link #NONE}. */
  public long closedUntil = NONE;

  /** When (processing time) the last reading came, or {@link #NONE}. */
  public long lastSeen = NONE;

  /** The processing-time timer set for silence, or {@link #NONE}. */
  public long wallTimer = NONE;

  /** The earliest due time, {@link Long#MAX_VALUE} when none, {@link #NONE} when not known. */
  public long earliestDue = NONE;

  public PersonState() {}

  /** Whether nothing but, possibly, the end of the last quiet window is kept. */
  boolean onlyClosedUntil() {
    return zone == null
        && location == null
        && newest == NONE
        && !idle
        && lastSeen == NONE
        && wallTimer == NONE
        && (earliestDue == NONE || earliestDue == Long.MAX_VALUE);
  }
}

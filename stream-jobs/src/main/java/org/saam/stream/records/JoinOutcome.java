package org.saam.stream.records;

/**
 * What the join made of one reading: the reading with its person (or with nobody); or, when the
 * reading falls in the period of a person who was erased, a reading to drop; or, when the join
 * failed on this reading in a way no rule foresaw, the reading as it came and the failure.
 *
 * @param reading the reading, attributed when {@code failure} is {@code null}
 * @param failure the exception's class and message, or {@code null}
 * @param erased whether the reading belonged to an erased person (never stored)
 */
public record JoinOutcome(MeasuredReading reading, String failure, boolean erased) {
  public static JoinOutcome joined(MeasuredReading reading) {
    return new JoinOutcome(reading, null, false);
  }

  public static JoinOutcome failed(MeasuredReading reading, String failure) {
    return new JoinOutcome(reading, failure, false);
  }

  public static JoinOutcome ofErasedPerson(MeasuredReading reading) {
    return new JoinOutcome(reading, null, true);
  }
}

package org.saam.stream.records;

/**
 * What the join made of one reading: the reading with its person (or with nobody), or, when the
 * join failed on this reading in a way no rule foresaw, the reading as it came and the failure.
 *
 * @param reading the reading, attributed when {@code failure} is {@code null}
 * @param failure the exception's class and message, or {@code null}
 */
public record JoinOutcome(MeasuredReading reading, String failure) {
  public static JoinOutcome joined(MeasuredReading reading) {
    return new JoinOutcome(reading, null);
  }

  public static JoinOutcome failed(MeasuredReading reading, String failure) {
    return new JoinOutcome(reading, failure);
  }
}

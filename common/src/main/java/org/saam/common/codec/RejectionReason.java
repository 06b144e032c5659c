package org.saam.common.codec;

/**
 * Why a batch or a reading was not accepted. The code is what operators filter quarantine by and
 * what the per-reason counters are named after, so it never changes once published.
 */
public enum RejectionReason {
  /** The payload is larger than the contract allows. */
  OVERSIZE_BATCH("oversize_batch"),
  /** The payload is not UTF-8 JSON, or not a JSON object. */
  MALFORMED_JSON("malformed_json"),
  /** A required field is missing or has the wrong JSON type. */
  MISSING_FIELD("missing_field"),
  /** {@code gateway_id} or {@code location_id} does not match the identifier pattern. */
  BAD_IDENTIFIER("bad_identifier"),
  /** The batch carries more readings than the contract allows. */
  TOO_MANY_READINGS("too_many_readings"),
  /** The payload's {@code location_id} differs from the one in the MQTT topic. */
  LOCATION_MISMATCH("location_mismatch"),
  /** A timestamp is not ISO-8601 with a zone and a four-digit year. */
  BAD_TIMESTAMP("bad_timestamp"),
  /** A timestamp lies before the earliest accepted instant (2000-01-01 unless configured). */
  PAST_TIMESTAMP("past_timestamp"),
  /** {@code seq} is not a non-negative whole number that fits in 64 bits. */
  BAD_SEQ("bad_seq"),
  /** A reading's {@code source_id} is not in the source catalogue. */
  UNKNOWN_SOURCE("unknown_source"),
  /** A reading's value is not a finite number. */
  NON_FINITE_VALUE("non_finite_value"),
  /** A reading's value lies outside its source's valid range. */
  OUT_OF_RANGE("out_of_range"),
  /** A reading's timestamp lies further in the future than clocks can drift. */
  FUTURE_TIMESTAMP("future_timestamp"),
  /**
   * A reading would push its source past the source's maximum rate in one hourly bucket (the
   * catalogue's {@code max_per_hour}); bounds every stored document whatever a gateway sends.
   */
  RATE_EXCEEDED("rate_exceeded"),
  /**
   * The pipeline failed on this message in a way no rule foresaw (a bug, not the gateway's fault);
   * the entry holds the exception, the message is kept whole for a replay once it is fixed.
   */
  INTERNAL_ERROR("internal_error"),
  /**
   * The broker gave up on the message after the readings queue's delivery limit (it was handed to
   * the pipeline that many times without an acknowledgement) and dead-lettered it.
   */
  DELIVERY_LIMIT("delivery_limit");

  private final String code;

  RejectionReason(String code) {
    this.code = code;
  }

  /** The stable, lower-case code of this reason, for example {@code malformed_json}. */
  public String code() {
    return code;
  }

  /**
   * Whether a replay can succeed without a new payload: the message broke no rule of the contract
   * (or broke only one that configuration can change), so its full text is worth keeping.
   */
  public boolean replayable() {
    return this == INTERNAL_ERROR
        || this == DELIVERY_LIMIT
        || this == UNKNOWN_SOURCE
        || this == OUT_OF_RANGE
        || this == RATE_EXCEEDED;
  }
}

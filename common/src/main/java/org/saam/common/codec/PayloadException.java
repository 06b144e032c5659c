package org.saam.common.codec;

/** A whole gateway payload was refused; {@link #reason()} says why in a stable code. */
public final class PayloadException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RejectionReason reason;

  public PayloadException(RejectionReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RejectionReason reason() {
    return reason;
  }
}

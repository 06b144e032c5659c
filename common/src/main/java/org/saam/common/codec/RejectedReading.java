package org.saam.common.codec;

/**
 * One reading of an otherwise valid batch that was refused.
 *
 * @param index the reading's position in the batch's {@code readings} array
 * @param reason why it was refused
 * @param detail a sentence naming the offending field and value
 * @param raw the reading's JSON text as received
 */
public record RejectedReading(int index, RejectionReason reason, String detail, String raw) {}

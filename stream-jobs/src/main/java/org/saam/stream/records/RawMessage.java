package org.saam.stream.records;

/**
 * One broker message as the pipeline received it, before any parsing.
 *
 * @param routingKey the AMQP routing key, {@code saam.<location_id>.readings} for MQTT topic {@code
 *     saam/<location_id>/readings}
 * @param body the payload bytes
 * @param receivedAtMillis when the pipeline took the message, epoch milliseconds
 */
public record RawMessage(String routingKey, byte[] body, long receivedAtMillis) {}

package org.saam.common.records;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One MQTT message of a home gateway: a batch of readings for one location (ARCHITECTURE.md,
 * contract 1).
 *
 * @param gatewayId the sending gateway, {@code gw-...}
 * @param locationId the home the readings come from
 * @param sentAt when the gateway sent the batch
 * @param seq the gateway's message counter; a gap means lost messages
 * @param readings the readings, at most {@link
 *     org.saam.common.codec.ReadingBatchCodec#MAX_READINGS}
 */
public record ReadingBatch(
    String gatewayId, String locationId, Instant sentAt, long seq, List<Reading> readings) {
  public ReadingBatch {
    Objects.requireNonNull(gatewayId, "gatewayId");
    Objects.requireNonNull(locationId, "locationId");
    Objects.requireNonNull(sentAt, "sentAt");
    readings = List.copyOf(readings);
  }
}

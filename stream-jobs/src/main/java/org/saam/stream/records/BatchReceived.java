package org.saam.stream.records;

/**
 * A gateway batch the pipeline accepted, for completeness tracking.
 *
 * @param locationId the home
 * @param gatewayId the gateway
 * @param seq the batch's seq
 */
public record BatchReceived(String locationId, String gatewayId, long seq) {}

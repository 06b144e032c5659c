package org.saam.stream.sources;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.connectors.rabbitmq.RMQDeserializationSchema;
import org.saam.stream.records.RawMessage;

/**
 * Keeps the routing key next to the payload: it carries the MQTT topic's location, which the parser
 * checks against the payload. Never throws, so a broken payload cannot stop the source.
 */
public final class RawMessageDeserializer implements RMQDeserializationSchema<RawMessage> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(
      Envelope envelope,
      AMQP.BasicProperties properties,
      byte[] body,
      RMQCollector<RawMessage> collector) {
    collector.collect(
        new RawMessage(envelope.getRoutingKey(), body == null ? new byte[0] : body, now()));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Override
  public boolean isEndOfStream(RawMessage nextElement) {
    return false;
  }

  @Override
  public TypeInformation<RawMessage> getProducedType() {
    return TypeInformation.of(RawMessage.class);
  }
}

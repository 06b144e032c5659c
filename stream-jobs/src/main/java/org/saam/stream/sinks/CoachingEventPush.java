package org.saam.stream.sinks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.CoachingEventRecord;

/**
 * Pushes coaching events to the person's app: published on {@code amq.topic} with routing key
 * {@code saam.users.<user_id>.coaching}, which the RabbitMQ MQTT plugin delivers to subscribers of
 * the MQTT topic {@code saam/users/<user_id>/coaching}. Messages are persistent and confirmed by
 * the broker before a checkpoint completes (at-least-once: after a restart the app may get an event
 * again and drops it by {@code event_id}).
 */
public final class CoachingEventPush implements Sink<CoachingEventRecord>, NamedSink {
  /** The operator name in the job graph. */
  public static final String OPERATOR_NAME = "push coaching events to app";

  @Override
  public String operatorName() {
    return OPERATOR_NAME;
  }

  private static final long serialVersionUID = 1L;

  /** The exchange the MQTT plugin reads. */
  public static final String EXCHANGE = "amq.topic";

  private final String host;
  private final int port;
  private final String virtualHost;
  private final String user;
  private final String password;

  public CoachingEventPush(
      String host, int port, String virtualHost, String user, String password) {
    this.host = host;
    this.port = port;
    this.virtualHost = virtualHost;
    this.user = user;
    this.password = password;
  }

  /** The AMQP routing key of a person's coaching topic. */
  public static String routingKey(String userId) {
    return org.saam.common.broker.Topics.coachingRoutingKey(userId);
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method of Sink in Flink 1.20
  public SinkWriter<CoachingEventRecord> createWriter(Sink.InitContext context) throws IOException {
    return new Writer(
        context
            .metricGroup()
            .addGroup(PipelineMetrics.GROUP)
            .counter("coaching_events_pushed_total"),
        context
            .metricGroup()
            .addGroup(PipelineMetrics.GROUP)
            .counter("coaching_events_not_pushed_late_total"));
  }

  private final class Writer implements SinkWriter<CoachingEventRecord> {
    private final Connection connection;
    private final Channel channel;
    private final Counter pushed;
    private final Counter notPushedLate;

    Writer(Counter pushed, Counter notPushedLate) throws IOException {
      this.pushed = pushed;
      this.notPushedLate = notPushedLate;
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost(host);
      factory.setPort(port);
      factory.setVirtualHost(virtualHost);
      factory.setUsername(user);
      factory.setPassword(password);
      factory.setAutomaticRecoveryEnabled(
          false); // a broken connection fails the job, which resends
      try {
        connection = factory.newConnection("saam-coaching-push");
        channel = connection.createChannel();
        channel.confirmSelect();
      } catch (TimeoutException e) {
        throw new IOException("RabbitMQ at " + host + ":" + port + " did not answer in time", e);
      }
    }

    @Override
    public void write(CoachingEventRecord event, Context context) throws IOException {
      if (event.late()) {
        // Delivered late (a backlog): in the log, but the app is not woken for old windows.
        notPushedLate.inc();
        return;
      }
      AMQP.BasicProperties properties =
          new AMQP.BasicProperties.Builder()
              .contentType("application/json")
              .deliveryMode(2)
              .messageId(event.eventId())
              .timestamp(new java.util.Date(event.tsMillis()))
              .headers(Map.of("rule_id", event.ruleId()))
              .build();
      channel.basicPublish(
          EXCHANGE,
          routingKey(event.userId()),
          properties,
          event.json().getBytes(StandardCharsets.UTF_8));
      pushed.inc();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      try {
        channel.waitForConfirmsOrDie(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while RabbitMQ confirmed coaching pushes", e);
      } catch (TimeoutException e) {
        throw new IOException("RabbitMQ did not confirm coaching pushes within 30 s", e);
      }
    }

    @Override
    public void close() throws Exception {
      if (connection.isOpen()) {
        connection.close(5_000);
      }
    }
  }
}

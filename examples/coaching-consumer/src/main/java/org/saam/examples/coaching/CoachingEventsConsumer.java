package org.saam.examples.coaching;

import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.saam.common.broker.Topics;
import org.saam.common.cli.Cli;
import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.records.CoachingEvent;
import picocli.CommandLine.Option;

/**
 * How a notification service reads coaching events: a Kafka consumer group on {@code
 * saam.coaching-events} (key {@code user_id}, so one person's events stay in order on one
 * partition), offsets committed after the events of a poll were handled, events already handled
 * recognised by {@code event_id} and skipped, and bad records reported with their position instead
 * of stopping the service.
 *
 * <p>Delivery to the {@link Notifier} is at-least-once across a crash of this process (offsets are
 * committed after handling), so a real notifier keeps the ids it sent (its database) as well; the
 * in-memory set here covers replays within one run.
 *
 * <pre>
 * java -jar saam-coaching-consumer-cli.jar [--bootstrap 127.0.0.1:9092] [--topic saam.coaching-events]
 *     [--group saam-notifications-example] [--from-beginning] [--user USER_ID] [--rule RULE_ID]
 *     [--max-events N]
 * </pre>
 */
public final class CoachingEventsConsumer implements AutoCloseable {
  /** What the service does with an event (send a push, an e-mail, a caregiver alert). */
  @FunctionalInterface
  public interface Notifier {
    void notify(CoachingEvent event);
  }

  /**
   * @param bootstrap Kafka brokers
   * @param topic the coaching-events topic
   * @param group consumer group; every service instance of the group shares the partitions
   * @param fromBeginning a new group starts at the oldest event instead of the newest
   * @param user only this person's events, or {@code null} for everyone's
   * @param rule only events of this rule, or {@code null} for all
   */
  public record Settings(
      String bootstrap,
      String topic,
      String group,
      boolean fromBeginning,
      String user,
      String rule) {}

  private static final int REMEMBERED_IDS = 100_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final String user;
  private final String rule;
  private final Map<String, Boolean> handled =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED_IDS;
        }
      };
  private long duplicates;
  private long invalid;
  private long erased;

  public CoachingEventsConsumer(Settings settings) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.fromBeginning() ? "earliest" : "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(settings.topic()));
    this.user = settings.user();
    this.rule = settings.rule();
  }

  /**
   * Polls once, hands every new event to {@code notifier}, reports bad records to {@code problems}
   * and commits the offsets; returns how many events were handed over.
   */
  public int pollOnce(Duration timeout, Notifier notifier, Consumer<String> problems) {
    int delivered = 0;
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      if (record.value() == null) {
        // A tombstone: the person was erased. Forget the event; a real consumer also deletes
        // what it kept of it (key <user_id>/<event_id>).
        erased++;
        String key = String.valueOf(record.key());
        handled.remove(key.substring(key.indexOf('/') + 1));
        continue;
      }
      CoachingEvent event;
      try {
        event = CoachingEventCodec.decode(record.value());
      } catch (IllegalArgumentException e) {
        invalid++;
        problems.accept(
            "skipped record at "
                + record.topic()
                + "-"
                + record.partition()
                + "@"
                + record.offset()
                + ": "
                + e.getMessage());
        continue;
      }
      if ((user != null && !user.equals(event.userId()))
          || (rule != null && !rule.equals(event.ruleId()))) {
        continue;
      }
      if (handled.put(event.eventId(), Boolean.TRUE) != null) {
        duplicates++;
        continue;
      }
      notifier.notify(event);
      delivered++;
    }
    consumer.commitSync();
    return delivered;
  }

  /** Events recognised by their id and not handed over again. */
  public long duplicates() {
    return duplicates;
  }

  /** Records that were not coaching events. */
  /** Tombstones seen: events of erased people, to be forgotten. */
  public long erased() {
    return erased;
  }

  public long invalid() {
    return invalid;
  }

  /** Makes a blocked {@link #pollOnce} return (from another thread, e.g. a shutdown hook). */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }

  /** One line per event, as the example prints it. */
  public static String describe(CoachingEvent event) {
    StringBuilder line =
        new StringBuilder()
            .append(event.ts())
            .append("  ")
            .append(event.severity())
            .append("  ")
            .append(event.messageKey())
            .append("  user=")
            .append(event.userId())
            .append(" location=")
            .append(event.locationId())
            .append(" event=")
            .append(event.eventId())
            .append("  evidence:");
    for (CoachingEvent.Evidence evidence : event.evidence()) {
      line.append(' ')
          .append(evidence.windowStart().atZone(ZoneId.of("UTC")).toLocalDate())
          .append('=')
          .append(Math.round(evidence.value() * 10) / 10.0);
      if (evidence.baseline() != null) {
        line.append("(baseline ").append(Math.round(evidence.baseline() * 10) / 10.0).append(')');
      }
    }
    if (event.deliveredLate()) {
      // A backlog event (a home that was offline): logged, never pushed to the person's app.
      line.append("  [delivered late]");
    }
    return line.toString();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new Command(out, err), args, out, err);
  }

  /** The command line: which events to read, and how many. */
  @picocli.CommandLine.Command(
      name = "coaching-consumer",
      mixinStandardHelpOptions = true,
      description = "Prints each coaching event once, as a notification service would send it.")
  static final class Command implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Option(
        names = "--bootstrap",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(
        names = "--topic",
        defaultValue = Topics.COACHING_EVENTS_TOPIC,
        description = "default: ${DEFAULT-VALUE}")
    String topic;

    @Option(
        names = "--group",
        defaultValue = "saam-notifications-example",
        description = "consumer group (default: ${DEFAULT-VALUE})")
    String group;

    @Option(
        names = "--from-beginning",
        description = "a new group starts at the oldest event instead of the newest")
    boolean fromBeginning;

    @Option(names = "--user", description = "only this person's events")
    String user;

    @Option(names = "--rule", description = "only events of this rule")
    String rule;

    @Option(
        names = "--max-events",
        defaultValue = "9223372036854775807",
        description = "stop after this many events (default: until stopped)")
    long maxEvents;

    Command(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      if (maxEvents < 1) {
        throw new IllegalArgumentException("--max-events must be at least 1, was " + maxEvents);
      }
      Settings settings = new Settings(bootstrap, topic, group, fromBeginning, user, rule);
      try (CoachingEventsConsumer consumer = new CoachingEventsConsumer(settings)) {
        Thread main = Thread.currentThread();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      consumer.wakeup();
                      try {
                        main.join(5_000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
        err.println(
            "reading " + settings.topic() + " at " + settings.bootstrap() + " (Ctrl-C stops)");
        long seen = 0;
        while (seen < maxEvents) {
          seen +=
              consumer.pollOnce(Duration.ofSeconds(1), e -> out.println(describe(e)), err::println);
        }
        return Cli.OK;
      } catch (WakeupException e) {
        return Cli.OK;
      }
    }
  }
}

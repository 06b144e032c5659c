package org.saam.ingestion.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.gateway.GatewayPublisher;

/**
 * A deterministic simulation of many homes: minute by minute, every home's readings, cut into
 * gateway batches with a per-gateway {@code seq}, with the configured faults, handed to a {@link
 * MessageSink}. Records what was sent and the ground truth of what was simulated.
 */
public final class Simulation {
  /** One MQTT message to publish. */
  public record Message(String topic, byte[] payload, String locationId, long seq) {}

  /** Takes the messages in order; may block (back-pressure). */
  @FunctionalInterface
  public interface MessageSink {
    void accept(Message message) throws InterruptedException;
  }

  /** Decides when the simulation may go on to the next minute (speed, rate). */
  @FunctionalInterface
  public interface Pacer {
    void beforeMinute(Instant simulatedMinute, long readingsSoFar) throws InterruptedException;

    /** As fast as the sink takes the messages. */
    Pacer FULL_SPEED = (minute, readings) -> {};
  }

  /**
   * An oversize batch is 4 KiB over the contract's limit: the pipeline refuses it (oversize_batch),
   * and it stays under the broker's own message limit (contract + 64 KiB), which would refuse it
   * before it reached the pipeline.
   */
  private static final int OVERSIZE_BYTES = ReadingBatchCodec.MAX_PAYLOAD_BYTES + 4 * 1024;

  private final SimulationSettings settings;
  private final ReadingBatchCodec codec = new ReadingBatchCodec();
  private final List<Home> homes = new ArrayList<>();
  private final SplittableRandom faultRandom;
  private final Map<String, Long> readingsPerSource = new TreeMap<>();
  private final Map<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
  private final AtomicLong readings = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private volatile Instant currentMinute;
  private Instant sendFrom = Instant.MIN;
  private Instant sendUntil = Instant.MAX;
  private final Instant start;
  private final Instant end;

  /** Per-home state: the simulator, its active range and the gateway's outgoing batch. */
  private static final class Home {
    final HouseholdSimulator simulator;
    final Instant from;
    final Instant until;
    final List<Reading> pending = new ArrayList<>();
    long seq;
    Message held;

    Home(HouseholdSimulator simulator, Instant from, Instant until) {
      this.simulator = simulator;
      this.from = from;
      this.until = until;
    }
  }

  public Simulation(SimulationSettings settings) {
    this.settings = settings;
    this.faultRandom = new SplittableRandom(settings.seed() ^ 0x5EED_FA17L);
    Instant first = Instant.MAX;
    Instant last = Instant.MIN;
    for (int index = 1; index <= settings.homes(); index++) {
      Household household = Household.generate(settings.seed(), index, settings.locationPrefix());
      // From noon before the first day (its night) to the midnight ending the last day, local.
      Instant from =
          settings.startDate().minusDays(1).atTime(12, 0).atZone(household.zone()).toInstant();
      Instant until =
          settings.startDate().plusDays(settings.days()).atStartOfDay(household.zone()).toInstant();
      homes.add(
          new Home(
              new HouseholdSimulator(household, settings.seed(), settings.shortNights()),
              from,
              until));
      first = first.isBefore(from) ? first : from;
      last = last.isAfter(until) ? last : until;
    }
    this.start = first;
    this.end = last;
    this.currentMinute = first;
  }

  public SimulationSettings settings() {
    return settings;
  }

  /**
   * Sends only the batches a gateway sends in {@code [from, until)}; the others are simulated (the
   * ground truth and the gateways' {@code seq} go on) but not handed to the sink, nor counted as
   * sent. Runs of the same simulation cut at the same instants send every batch once, with {@code
   * seq} continuing from one run to the next: one home's weeks published in parts, at moments of a
   * test's choosing.
   */
  public Simulation onlySentBetween(Instant from, Instant until) {
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException(
          "the send window is empty: " + from + " is not before " + until);
    }
    this.sendFrom = from;
    this.sendUntil = until;
    return this;
  }

  /** Runs the whole simulation, handing every message to {@code sink}. */
  public void run(MessageSink sink, Pacer pacer) throws InterruptedException {
    for (Instant minute = start; minute.isBefore(end); minute = minute.plusSeconds(60)) {
      pacer.beforeMinute(minute, readings.get());
      currentMinute = minute;
      boolean periodEnds = (minute.getEpochSecond() / 60 + 1) % settings.flushMinutes() == 0;
      for (Home home : homes) {
        if (minute.isBefore(home.from) || !minute.isBefore(home.until)) {
          continue;
        }
        home.pending.addAll(home.simulator.minute(minute));
        Instant sentAt = minute.plusSeconds(60);
        while (home.pending.size() >= settings.batchSize()) {
          List<Reading> chunk = new ArrayList<>(home.pending.subList(0, settings.batchSize()));
          home.pending.subList(0, settings.batchSize()).clear();
          emit(home, chunk, sentAt, sink);
        }
        boolean homeEnds = !minute.plusSeconds(60).isBefore(home.until);
        if ((periodEnds || homeEnds) && !home.pending.isEmpty()) {
          emit(home, new ArrayList<>(home.pending), sentAt, sink);
          home.pending.clear();
        }
        if (homeEnds && home.held != null) {
          send(sink, home.held);
          home.held = null;
        }
      }
    }
    currentMinute = end;
  }

  private void emit(Home home, List<Reading> chunk, Instant sentAt, MessageSink sink)
      throws InterruptedException {
    Household household = home.simulator.home();
    String location = household.locationId();
    long seq = ++home.seq;
    if (sentAt.isBefore(sendFrom) || !sentAt.isBefore(sendUntil)) {
      if (home.held != null) {
        send(sink, home.held); // held back inside the window: it goes now
        home.held = null;
      }
      return;
    }
    for (Reading reading : chunk) {
      readingsPerSource.merge(reading.sourceId(), 1L, Long::sum);
    }
    readings.addAndGet(chunk.size());
    batches.incrementAndGet();
    String topic = GatewayPublisher.topicOf(location);
    FaultKind fault = drawFault(home.held != null);
    List<Reading> body = chunk;
    List<Message> extras = new ArrayList<>();
    if (fault == FaultKind.UNKNOWN_SOURCE || fault == FaultKind.OUT_OF_RANGE) {
      body = new ArrayList<>(chunk);
      Reading extra =
          fault == FaultKind.UNKNOWN_SOURCE
              ? new Reading("bed.teleport", chunk.get(0).ts(), 1)
              : new Reading("bracelet.hr", chunk.get(0).ts().plusMillis(1), 400);
      body.add(faultRandom.nextInt(body.size() + 1), extra);
    } else if (fault == FaultKind.OUT_OF_ORDER) {
      body = new ArrayList<>(chunk);
      java.util.Collections.shuffle(body, new java.util.Random(faultRandom.nextLong()));
    }
    ReadingBatch batch =
        new ReadingBatch(
            "gw-" + location, location, sentAt.plusMillis((seq * 37) % 1000), seq, body);
    Message message = new Message(topic, codec.encode(batch), location, seq);
    if (fault == FaultKind.MALFORMED_JSON) {
      byte[] half = java.util.Arrays.copyOf(message.payload(), message.payload().length / 2);
      extras.add(new Message(topic, half, location, seq));
    } else if (fault == FaultKind.WRONG_LOCATION) {
      String other = settings.locationPrefix() + "9999";
      ReadingBatch foreign = new ReadingBatch("gw-" + location, other, batch.sentAt(), seq, chunk);
      extras.add(new Message(topic, codec.encode(foreign), location, seq));
    } else if (fault == FaultKind.OVERSIZE_BATCH) {
      String json = new String(message.payload(), StandardCharsets.UTF_8);
      int padding = Math.max(0, OVERSIZE_BYTES - json.length() - 16);
      String padded = "{\"padding\":\"" + "x".repeat(padding) + "\"," + json.substring(1);
      extras.add(new Message(topic, padded.getBytes(StandardCharsets.UTF_8), location, seq));
    }

    if (home.held != null) {
      send(sink, message);
      send(sink, home.held);
      home.held = null;
    } else if (fault == FaultKind.OUT_OF_ORDER) {
      home.held = message;
    } else {
      send(sink, message);
    }
    if (fault == FaultKind.DUPLICATES) {
      send(sink, message);
    }
    for (Message extra : extras) {
      send(sink, extra);
    }
  }

  private void send(MessageSink sink, Message message) throws InterruptedException {
    messages.incrementAndGet();
    sink.accept(message);
  }

  /** The fault of the next batch, or none; a batch cannot be held back while another one is. */
  private FaultKind drawFault(boolean holding) {
    if (settings.faults().isEmpty() || faultRandom.nextDouble() >= settings.faultRate()) {
      return null;
    }
    List<FaultKind> enabled = new ArrayList<>(settings.faults());
    enabled.sort(null);
    FaultKind kind = enabled.get(faultRandom.nextInt(enabled.size()));
    if (kind == FaultKind.OUT_OF_ORDER && holding) {
      return null;
    }
    faults.merge(kind, 1L, Long::sum);
    return kind;
  }

  /** Valid readings generated so far (each once, whatever faults repeat). */
  public long readings() {
    return readings.get();
  }

  /** Gateway batches so far (each once). */
  public long batches() {
    return batches.get();
  }

  /** MQTT messages so far, including duplicates and fault messages. */
  public long messages() {
    return messages.get();
  }

  /** Share of simulated time done, 0 to 1. */
  public double progress() {
    long total = end.getEpochSecond() - start.getEpochSecond();
    return total <= 0
        ? 1
        : (currentMinute.getEpochSecond() - start.getEpochSecond()) / (double) total;
  }

  public Instant currentMinute() {
    return currentMinute;
  }

  public Instant start() {
    return start;
  }

  public Instant end() {
    return end;
  }

  /** The last {@code seq} of every gateway, by location. */
  public Map<String, Long> lastSeqByLocation() {
    Map<String, Long> seqs = new TreeMap<>();
    for (Home home : homes) {
      seqs.put(home.simulator.home().locationId(), home.seq);
    }
    return seqs;
  }

  /** Ground truth, what was sent and which faults were injected, as one JSON document. */
  public ObjectNode report() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("seed", settings.seed());
    root.put("start_date", settings.startDate().toString());
    root.put("days", settings.days());
    ObjectNode definitions = root.putObject("definitions");
    definitions.put("night", "12:00 to 12:00 local time, named by the date it starts");
    definitions.put("day", "00:00 to 24:00 local time");
    definitions.put("movement_bout_threshold", GroundTruth.MOVEMENT_BOUT_THRESHOLD);
    definitions.put(
        "bed_exit", "bed presence 0 for more than 2 consecutive minutes in the bed period");
    definitions.put("active_minute", "at least 60 bracelet steps");
    definitions.put(
        "room_transition", "a minute whose room differs from the minute before; 0 = away");
    definitions.put("resting_hr", "lowest mean of ecg.hr over 30 consecutive minutes of the day");
    definitions.put("meals", "food-scale weighings less than 30 minutes apart form one meal");
    ObjectNode sent = root.putObject("sent");
    sent.put("readings", readings.get());
    sent.put("batches", batches.get());
    sent.put("messages", messages.get());
    ObjectNode perSource = sent.putObject("per_source");
    readingsPerSource.forEach(perSource::put);
    ObjectNode lastSeq = sent.putObject("last_seq");
    lastSeqByLocation().forEach(lastSeq::put);
    ObjectNode faultCounts = root.putObject("faults");
    faults.forEach((kind, count) -> faultCounts.put(kind.optionName(), count));
    ArrayNode people = root.putArray("homes");
    LocalDate first = settings.startDate();
    LocalDate last = settings.startDate().plusDays(settings.days() - 1);
    for (Home home : homes) {
      Household household = home.simulator.home();
      GroundTruth truth = home.simulator.truth();
      ObjectNode person = people.addObject();
      person.put("location_id", household.locationId());
      person.put("time_zone", household.zone().getId());
      person.put("room_sensor", household.roomSensor());
      ObjectNode days = person.putObject("days");
      truth
          .days(first, last)
          .forEach((date, figures) -> days.set(date.toString(), json.valueToTree(figures)));
      ObjectNode nights = person.putObject("nights");
      truth
          .nights(first.minusDays(1), last.minusDays(1))
          .forEach((date, figures) -> nights.set(date.toString(), json.valueToTree(figures)));
    }
    return root;
  }

  /** Writes {@link #report()} to a file, pretty-printed. */
  public void writeReport(Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(file.toFile(), report());
  }
}

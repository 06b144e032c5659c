package org.saam.ingestion.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.RejectionReason;
import org.saam.common.records.Reading;

class SimulationTest {
  private static final ReadingBatchCodec CODEC = new ReadingBatchCodec();
  private static final SimulationSettings TWO_HOMES_TWO_DAYS =
      SimulationSettings.defaults().withHomes(2).withDays(2);

  private static List<Simulation.Message> run(Simulation simulation) throws InterruptedException {
    List<Simulation.Message> messages = new ArrayList<>();
    simulation.run(messages::add, Simulation.Pacer.FULL_SPEED);
    return messages;
  }

  @Test
  void sameSeedGivesByteIdenticalPayloadsAndAnotherSeedDoesNot() throws Exception {
    List<Simulation.Message> first = run(new Simulation(TWO_HOMES_TWO_DAYS));
    List<Simulation.Message> second = run(new Simulation(TWO_HOMES_TWO_DAYS));
    List<Simulation.Message> other = run(new Simulation(TWO_HOMES_TWO_DAYS.withSeed(43)));

    assertThat(first).hasSameSizeAs(second);
    for (int i = 0; i < first.size(); i++) {
      assertThat(first.get(i).payload()).isEqualTo(second.get(i).payload());
    }
    assertThat(other.get(100).payload()).isNotEqualTo(first.get(100).payload());
  }

  @Test
  void partsCutAtTheSameInstantsSendEveryBatchOnceInOrderAndCountOnlyWhatTheySend()
      throws Exception {
    Simulation whole = new Simulation(TWO_HOMES_TWO_DAYS);
    List<Simulation.Message> all = run(whole);
    java.time.Instant cut1 = java.time.Instant.parse("2026-11-09T06:03:00Z");
    java.time.Instant cut2 = java.time.Instant.parse("2026-11-10T17:00:00Z");
    List<Simulation.Message> joined = new ArrayList<>();
    long readings = 0;
    for (java.time.Instant[] part :
        List.of(
            new java.time.Instant[] {java.time.Instant.MIN, cut1},
            new java.time.Instant[] {cut1, cut2},
            new java.time.Instant[] {cut2, java.time.Instant.MAX})) {
      Simulation simulation = new Simulation(TWO_HOMES_TWO_DAYS).onlySentBetween(part[0], part[1]);
      List<Simulation.Message> sent = run(simulation);
      assertThat(sent).as("part from %s", part[0]).isNotEmpty();
      for (Simulation.Message message : sent) {
        java.time.Instant sentAt = CODEC.decode(message.payload()).batch().sentAt();
        // sentAt carries up to a second of jitter after the minute the batch was cut at
        assertThat(sentAt.minusSeconds(1)).isBefore(part[1]);
        assertThat(sentAt).isAfterOrEqualTo(part[0]);
      }
      joined.addAll(sent);
      readings += simulation.readings();
      assertThat(simulation.report().get("homes"))
          .as("the ground truth is the whole simulation's")
          .isEqualTo(whole.report().get("homes"));
    }
    assertThat(readings).isEqualTo(whole.readings());
    assertThat(joined).hasSameSizeAs(all);
    for (int i = 0; i < all.size(); i++) {
      assertThat(joined.get(i).payload()).isEqualTo(all.get(i).payload());
    }
    assertThatThrownBy(() -> new Simulation(TWO_HOMES_TWO_DAYS).onlySentBetween(cut2, cut1))
        .hasMessageContaining("the send window is empty");
  }

  @Test
  void groundTruthAgreesWithTheReadingsSent() throws Exception {
    Simulation simulation = new Simulation(TWO_HOMES_TWO_DAYS);
    List<Simulation.Message> messages = run(simulation);
    JsonNode report = simulation.report();

    // Recompute steps, calls and room transitions per local day from the published readings.
    Map<String, Map<LocalDate, long[]>> perHome = new HashMap<>();
    Map<String, ZoneId> zones = new HashMap<>();
    for (JsonNode home : report.get("homes")) {
      zones.put(home.get("location_id").asText(), ZoneId.of(home.get("time_zone").asText()));
    }
    Map<String, List<Reading>> rooms = new HashMap<>();
    for (Simulation.Message message : messages) {
      DecodedBatch decoded = CODEC.decode(message.payload());
      String location = decoded.batch().locationId();
      for (Reading reading : decoded.batch().readings()) {
        LocalDate day = reading.ts().atZone(zones.get(location)).toLocalDate();
        long[] figures =
            perHome
                .computeIfAbsent(location, l -> new HashMap<>())
                .computeIfAbsent(day, d -> new long[2]);
        switch (reading.sourceId()) {
          case "bracelet.steps" -> figures[0] += (long) reading.value();
          case "smartphone.call" -> figures[1]++;
          case "uwb.room", "ble.room" ->
              rooms.computeIfAbsent(location, l -> new ArrayList<>()).add(reading);
          default -> {}
        }
      }
    }
    int checkedDays = 0;
    for (JsonNode home : report.get("homes")) {
      String location = home.get("location_id").asText();
      var days = home.get("days").fields();
      while (days.hasNext()) {
        var day = days.next();
        long[] recomputed = perHome.get(location).get(LocalDate.parse(day.getKey()));
        assertThat(recomputed[0])
            .as("steps of %s on %s", location, day.getKey())
            .isEqualTo(day.getValue().get("steps").asLong());
        assertThat(recomputed[1])
            .as("calls of %s on %s", location, day.getKey())
            .isEqualTo(day.getValue().get("calls").asLong());
        List<Reading> roomReadings = rooms.get(location);
        long transitions = 0;
        for (int i = 1; i < roomReadings.size(); i++) {
          LocalDate readingDay = roomReadings.get(i).ts().atZone(zones.get(location)).toLocalDate();
          if (readingDay.toString().equals(day.getKey())
              && roomReadings.get(i).value() != roomReadings.get(i - 1).value()) {
            transitions++;
          }
        }
        assertThat(transitions)
            .as("room transitions of %s on %s", location, day.getKey())
            .isEqualTo(day.getValue().get("room_transitions").asLong());
        checkedDays++;
      }
    }
    assertThat(checkedDays).isEqualTo(4);
    assertThat(report.get("sent").get("readings").asLong())
        .isEqualTo(messages.stream().mapToLong(m -> decodedCount(m)).sum());
  }

  private static long decodedCount(Simulation.Message message) {
    try {
      return CODEC.decode(message.payload()).batch().readings().size();
    } catch (PayloadException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void reportsEveryCompleteNightAndDayInTheHomesTimeZone() throws Exception {
    Simulation simulation =
        new Simulation(TWO_HOMES_TWO_DAYS.withStartDate(LocalDate.of(2026, 10, 24)));
    run(simulation);
    JsonNode home = simulation.report().get("homes").get(0);

    // 2026-10-25 has 25 hours in Europe: the night that contains the change is still one night.
    assertThat(home.get("days").fieldNames())
        .toIterable()
        .containsExactly("2026-10-24", "2026-10-25");
    assertThat(home.get("nights").fieldNames())
        .toIterable()
        .containsExactly("2026-10-23", "2026-10-24");
    for (JsonNode night : home.get("nights")) {
      assertThat(night.get("time_in_bed_min").asInt()).isBetween(300, 720);
      assertThat(night.get("total_sleep_min").asInt())
          .isLessThanOrEqualTo(night.get("time_in_bed_min").asInt());
    }
  }

  @Test
  void plantedShortNightsAreShortAndLeaveTheOtherNightsAsTheyWere() throws Exception {
    SimulationSettings week = SimulationSettings.defaults().withHomes(1).withDays(7);
    Set<LocalDate> planted = Set.of(LocalDate.of(2026, 11, 11), LocalDate.of(2026, 11, 12));
    Simulation plain = new Simulation(week);
    Simulation shortened = new Simulation(week.withShortNights(planted));
    run(plain);
    run(shortened);
    JsonNode before = plain.report().get("homes").get(0).get("nights");
    JsonNode after = shortened.report().get("homes").get(0).get("nights");
    before
        .fieldNames()
        .forEachRemaining(
            night -> {
              double sleep = after.get(night).get("total_sleep_min").asDouble();
              if (planted.contains(LocalDate.parse(night))) {
                assertThat(sleep).as(night).isLessThan(300);
                assertThat(after.get(night).get("time_in_bed_min").asDouble())
                    .isBetween(240.0, 300.0);
              } else {
                assertThat(after.get(night)).as(night).isEqualTo(before.get(night));
                assertThat(sleep).as(night).isGreaterThanOrEqualTo(300);
              }
            });
    assertThat(SimulateCommand.shortNights("2026-11-11, 2026-11-12")).isEqualTo(planted);
    assertThatThrownBy(() -> SimulateCommand.shortNights("2026-11-11,tuesday"))
        .hasMessageContaining("'tuesday' is not one");
  }

  @Test
  void everyBatchHasConsecutiveSeqPerGatewayAndRespectsTheContract() throws Exception {
    Simulation simulation = new Simulation(TWO_HOMES_TWO_DAYS.withBatchSize(300));
    Map<String, Long> lastSeq = new HashMap<>();
    for (Simulation.Message message : run(simulation)) {
      assertThat(message.payload().length).isLessThanOrEqualTo(ReadingBatchCodec.MAX_PAYLOAD_BYTES);
      DecodedBatch decoded = CODEC.decode(message.payload());
      assertThat(decoded.rejected()).isEmpty();
      assertThat(decoded.batch().readings()).hasSizeLessThanOrEqualTo(300);
      long previous = lastSeq.getOrDefault(message.locationId(), 0L);
      assertThat(decoded.batch().seq()).isEqualTo(previous + 1);
      lastSeq.put(message.locationId(), decoded.batch().seq());
    }
    assertThat(lastSeq).isEqualTo(simulation.lastSeqByLocation());
  }

  @Test
  void injectsEachFaultKindItIsAskedFor() throws Exception {
    Simulation simulation =
        new Simulation(TWO_HOMES_TWO_DAYS.withFaults(EnumSet.allOf(FaultKind.class), 0.3));
    Map<RejectionReason, Integer> refusals = new HashMap<>();
    int duplicates = 0;
    int outOfOrder = 0;
    Map<String, Long> lastSeq = new HashMap<>();
    Set<String> seen = new java.util.HashSet<>();
    for (Simulation.Message message : run(simulation)) {
      try {
        DecodedBatch decoded = CODEC.decode(message.payload());
        if (!decoded.batch().locationId().equals(message.locationId())) {
          refusals.merge(RejectionReason.LOCATION_MISMATCH, 1, Integer::sum);
          continue;
        }
        for (Reading reading : decoded.batch().readings()) {
          if (reading.sourceId().equals("bed.teleport")) {
            refusals.merge(RejectionReason.UNKNOWN_SOURCE, 1, Integer::sum);
          } else if (reading.sourceId().equals("bracelet.hr") && reading.value() == 400) {
            refusals.merge(RejectionReason.OUT_OF_RANGE, 1, Integer::sum);
          }
        }
        String key = message.locationId() + "#" + decoded.batch().seq();
        if (!seen.add(key)) {
          duplicates++;
        }
        long previous = lastSeq.getOrDefault(message.locationId(), 0L);
        if (decoded.batch().seq() < previous) {
          outOfOrder++;
        }
        lastSeq.put(message.locationId(), Math.max(previous, decoded.batch().seq()));
      } catch (PayloadException e) {
        refusals.merge(e.reason(), 1, Integer::sum);
      }
    }
    JsonNode faults = simulation.report().get("faults");

    assertThat(refusals.get(RejectionReason.MALFORMED_JSON))
        .isEqualTo(faults.get("malformed-json").asInt());
    assertThat(refusals.get(RejectionReason.OVERSIZE_BATCH))
        .isEqualTo(faults.get("oversize-batch").asInt());
    assertThat(refusals.get(RejectionReason.LOCATION_MISMATCH))
        .isEqualTo(faults.get("wrong-location").asInt());
    assertThat(refusals.get(RejectionReason.UNKNOWN_SOURCE))
        .isEqualTo(faults.get("unknown-source").asInt());
    assertThat(refusals.get(RejectionReason.OUT_OF_RANGE))
        .isEqualTo(faults.get("out-of-range").asInt());
    assertThat(duplicates).isEqualTo(faults.get("duplicates").asInt());
    assertThat(outOfOrder).isEqualTo(faults.get("out-of-order").asInt());
    assertThat(faults.size()).isEqualTo(FaultKind.values().length);
  }

  @Test
  void faultListsAreParsedWithClearErrors() {
    assertThat(FaultKind.parseList("duplicates,malformed-json"))
        .containsExactlyInAnyOrder(FaultKind.DUPLICATES, FaultKind.MALFORMED_JSON);
    assertThat(FaultKind.parseList("all")).hasSize(FaultKind.values().length);
    assertThat(FaultKind.parseList("none")).isEmpty();
    assertThatThrownBy(() -> FaultKind.parseList("duplicates,gremlins"))
        .hasMessageContaining("unknown fault 'gremlins'")
        .hasMessageContaining("out-of-order");
  }

  @Test
  void refusesSettingsOutsideTheContract() {
    assertThatThrownBy(() -> SimulationSettings.defaults().withBatchSize(1001))
        .hasMessageContaining("between 1 and 1000")
        .hasMessageContaining("1001");
    assertThatThrownBy(() -> SimulationSettings.defaults().withLocationPrefix("Home."))
        .hasMessageContaining("Home.");
  }
}

package org.saam.ingestion.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.ReadingBatch;

class DemoHomesTest {
  private static final Instant START = Instant.parse("2026-11-21T23:00:00Z");

  @Test
  void sameSeedGivesByteIdenticalPayloads() {
    ReadingBatchCodec codec = new ReadingBatchCodec();
    List<ReadingBatch> first = new DemoHomes("loc-", 2, START, Duration.ofMinutes(30), 7).batches();
    List<ReadingBatch> second =
        new DemoHomes("loc-", 2, START, Duration.ofMinutes(30), 7).batches();

    assertThat(first).hasSameSizeAs(second);
    for (int i = 0; i < first.size(); i++) {
      assertThat(codec.encode(first.get(i))).isEqualTo(codec.encode(second.get(i)));
    }
  }

  @Test
  void everyHomeNumbersItsBatchesFromOneWithoutGaps() {
    List<ReadingBatch> batches =
        new DemoHomes("home-", 3, START, Duration.ofMinutes(45), 1).batches();

    for (String location : List.of("home-0001", "home-0002", "home-0003")) {
      assertThat(batches)
          .filteredOn(b -> b.locationId().equals(location))
          .extracting(ReadingBatch::seq)
          .containsExactly(1L, 2L, 3L, 4L, 5L);
    }
  }

  @Test
  void sendsOneBedPresenceReadingPerMinuteAndTemperatureEveryFiveMinutes() {
    List<ReadingBatch> batches =
        new DemoHomes("loc-", 1, START, Duration.ofMinutes(60), 1).batches();

    long presence =
        batches.stream()
            .flatMap(b -> b.readings().stream())
            .filter(r -> r.sourceId().equals("bed.presence"))
            .count();
    long temperature =
        batches.stream()
            .flatMap(b -> b.readings().stream())
            .filter(r -> r.sourceId().equals("ambient.temperature_c"))
            .count();
    assertThat(presence).isEqualTo(60);
    assertThat(temperature).isEqualTo(12);
  }

  @Test
  void refusesPrefixThatMakesInvalidLocationIds() {
    assertThatThrownBy(() -> new DemoHomes("Loc.", 1, START, Duration.ofMinutes(1), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Loc.");
  }
}

package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.records.MeasuredReading;

class SourceRateLimitTest {
  private static final Instant HOUR = Instant.parse("2026-11-22T06:00:00Z");
  private static final SourceCatalogue CATALOGUE = SourceCatalogue.loadDefault();

  private KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, MeasuredReading> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new SourceRateLimit(CATALOGUE, Duration.ofHours(3)),
            MeasuredReading::locationId,
            Types.STRING);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static MeasuredReading reading(String location, String source, Instant at) {
    return new MeasuredReading(
        location, "gw", 1, source, "dev", at.toEpochMilli(), 1.0, null, null);
  }

  private List<QuarantineEntry> refused() {
    var output = harness.getSideOutput(SourceRateLimit.REFUSED);
    return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void refusesReadingsBeyondTheSourcesHourlyMaximumAsRateExceeded() throws Exception {
    int limit = CATALOGUE.source("bed.presence").orElseThrow().maxPerHour();
    for (int i = 0; i < limit + 5; i++) {
      // Millisecond-spaced timestamps, as a hostile gateway would send, all in one hour.
      harness.processElement(reading("loc-1", "bed.presence", HOUR.plusMillis(i)), 0L);
    }

    assertThat(harness.extractOutputValues()).hasSize(limit);
    assertThat(refused())
        .hasSize(5)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo("rate_exceeded");
              assertThat(r.locationId()).isEqualTo("loc-1");
              assertThat(r.detail()).contains("at most " + limit + " per hour");
            });
  }

  @Test
  void countsEachHourSourceAndHomeApartAndRespectsTheCataloguesRate() throws Exception {
    int ecgLimit = CATALOGUE.source("ecg.rr_interval").orElseThrow().maxPerHour();
    assertThat(ecgLimit).isGreaterThan(CATALOGUE.source("bed.presence").orElseThrow().maxPerHour());
    for (int i = 0; i < ecgLimit; i++) {
      harness.processElement(reading("loc-1", "ecg.rr_interval", HOUR.plusMillis(i * 250L)), 0L);
    }
    harness.processElement(reading("loc-1", "ecg.rr_interval", HOUR.plusSeconds(3599)), 0L);
    harness.processElement(reading("loc-1", "ecg.rr_interval", HOUR.plusSeconds(3600)), 0L);
    harness.processElement(reading("loc-2", "ecg.rr_interval", HOUR), 0L);
    harness.processElement(reading("loc-1", "bed.presence", HOUR), 0L);

    assertThat(harness.extractOutputValues()).hasSize(ecgLimit + 3);
    assertThat(refused())
        .singleElement()
        .extracting(QuarantineEntry::raw)
        .asString()
        .contains("ecg.rr_interval");
  }

  @Test
  void forgetsABucketsCountAfterItsTimeToLiveSoStateStaysBounded() throws Exception {
    harness.setStateTtlProcessingTime(0);
    harness.processElement(reading("loc-1", "bed.presence", HOUR), 0L);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

    harness.setStateTtlProcessingTime(Duration.ofHours(3).toMillis() + 1);
    harness.processElement(reading("loc-1", "bed.presence", HOUR.plusSeconds(7200)), 0L);

    // The expired entry is not returned; the new hour's bucket holds the only live count.
    assertThat(harness.extractOutputValues()).hasSize(2);
  }
}

package org.saam.common.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Date;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.RejectionReason;

/** The store contract read back what it writes, and says which document is wrong when one is. */
class StoreDocumentsTest {

  private static Document asStored(BsonDocument written) {
    return Document.parse(written.toJson());
  }

  @Test
  void aQuarantineEntryReadsBackAsWritten() {
    QuarantineEntry entry =
        QuarantineEntry.ofReading(
            "loc-1",
            "gw-1",
            7,
            "bed.presence",
            1_795_330_740_000L,
            1.0,
            RejectionReason.RATE_EXCEEDED,
            "too many",
            1_795_330_800_000L);

    assertThat(QuarantineEntry.read(asStored(entry.toDocument()))).isEqualTo(entry);
  }

  @Test
  void aQuarantineEntryWithoutTheNewerFieldsReadsWithNeutralValues() {
    QuarantineEntry old =
        QuarantineEntry.read(new Document("_id", "x").append("reason", "malformed_json"));

    assertThat(old.index()).isEqualTo(-1);
    assertThat(old.raw()).isEmpty();
    assertThat(old.replayable()).isFalse();
  }

  @Test
  void aFeatureReadsBackAsWritten() {
    FeatureRecord feature =
        new FeatureRecord(
            "u-1",
            "loc-1",
            "feature.sleep.total_sleep_min",
            "sleep",
            1_000L,
            2_000L,
            "Europe/Rome",
            420.5,
            12,
            0.75,
            1);
    Document stored = asStored(feature.toDocument(5_000L));
    stored.get("window", Document.class).put("start", new Date(1_000L));
    stored.get("window", Document.class).put("end", new Date(2_000L));

    assertThat(FeatureRecord.read(stored)).isEqualTo(feature);
  }

  @Test
  void aBucketWithABadSampleNamesTheBucket() {
    Document bucket =
        new Document("_id", "loc-1|bed.presence|0|-")
            .append("samples", new Document("yesterday", 1.0));

    assertThatThrownBy(() -> MeasurementBuckets.read(bucket))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("loc-1|bed.presence|0|-")
        .hasMessageContaining("'yesterday'");
  }

  @Test
  void theBucketIdKeysBySourceHourAndPerson() {
    assertThat(MeasurementBuckets.id("loc-1", "bed.movement", 3_600_000L, null))
        .isEqualTo("loc-1|bed.movement|3600|-");
    assertThat(MeasurementBuckets.hourStart(-1L)).isEqualTo(-3_600_000L);
  }
}

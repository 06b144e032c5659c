package org.saam.stream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.UpdateOneModel;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.saam.stream.records.BucketSamples;

class MeasurementBucketWriteTest {
  private final MeasurementBucketWrite write = new MeasurementBucketWrite();

  private static BucketSamples one(String user, long hour, long ts, double value) {
    return new BucketSamples(
        "loc-1", user, "bed.movement", "microhub_bed", hour, new long[] {ts}, new double[] {value});
  }

  @Test
  void upsertsTheSampleIntoTheBucketOfItsHour() {
    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>)
            write.serialize(one(null, 1795327200000L, 1795330740250L, 12.5), null);

    assertThat(model.getOptions().isUpsert()).isTrue();
    assertThat(model.getFilter().toBsonDocument())
        .isEqualTo(BsonDocument.parse("{_id: 'loc-1|bed.movement|1795327200|-'}"));
    BsonDocument update = model.getUpdate().toBsonDocument();
    assertThat(update.getDocument("$set").getDouble("samples.1795330740250").getValue())
        .isEqualTo(12.5);
    assertThat(update.getDocument("$set").getDateTime("hour").getValue()).isEqualTo(1795327200000L);
    assertThat(update.getDocument("$set").isNull("user_id")).isTrue();
    assertThat(update.getDocument("$min").getDouble("min").getValue()).isEqualTo(12.5);
    assertThat(update.getDocument("$max").getDouble("max").getValue()).isEqualTo(12.5);
  }

  @Test
  void aGroupIsOneUpsertWithEverySampleAndTheGroupsMinimumAndMaximum() {
    long hour = 1795327200000L;
    BucketSamples group =
        new BucketSamples(
            "loc-1",
            "u-42",
            "bed.movement",
            "microhub_bed",
            hour,
            new long[] {hour + 1_000, hour + 2_000, hour + 1_000, hour + 3_599_999},
            new double[] {4, -2, 7, 3});

    BsonDocument update =
        ((UpdateOneModel<BsonDocument>) write.serialize(group, null)).getUpdate().toBsonDocument();

    BsonDocument set = update.getDocument("$set");
    assertThat(set.keySet())
        .filteredOn(k -> k.startsWith("samples."))
        .containsExactly(
            "samples." + (hour + 1_000),
            "samples." + (hour + 2_000),
            "samples." + (hour + 3_599_999));
    // a timestamp given twice keeps its later value, as two single upserts would
    assertThat(set.getDouble("samples." + (hour + 1_000)).getValue()).isEqualTo(7);
    assertThat(update.getDocument("$min").getDouble("min").getValue()).isEqualTo(-2);
    assertThat(update.getDocument("$max").getDouble("max").getValue()).isEqualTo(7);
  }

  @Test
  void aSampleOutsideTheGroupsHourIsRefusedNotWrittenIntoTheWrongBucket() {
    long hour = 1795327200000L;
    assertThatThrownBy(() -> write.serialize(one(null, hour, hour + 3_600_000, 1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the bucket's hour");
  }

  @Test
  void keysTheBucketByPersonWhenOneIsAssigned() {
    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>) write.serialize(one("u-42", 0L, 0L, 1), null);

    assertThat(model.getFilter().toBsonDocument().getString("_id").getValue())
        .isEqualTo("loc-1|bed.movement|0|u-42");
  }

  @Test
  void readingsBeforeNineteenSeventyFallIntoTheHourThatContainsThem() {
    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>) write.serialize(one(null, -3_600_000L, -1L, 1), null);

    assertThat(model.getFilter().toBsonDocument().getString("_id").getValue())
        .isEqualTo("loc-1|bed.movement|-3600|-");
  }
}

package org.saam.stream.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.UpdateOneModel;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.saam.stream.records.MeasuredReading;

class MeasurementBucketWriteTest {
  private final MeasurementBucketWrite write = new MeasurementBucketWrite();

  @Test
  void upsertsTheSampleIntoTheBucketOfItsHour() {
    MeasuredReading reading =
        new MeasuredReading(
            "loc-1", "gw-1", 3, "bed.movement", "microhub_bed", 1795330740250L, 12.5, null, null);

    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>) write.serialize(reading, null);

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
  void keysTheBucketByPersonWhenOneIsAssigned() {
    MeasuredReading reading =
        new MeasuredReading(
            "loc-1", "gw-1", 3, "bed.movement", "microhub_bed", 0L, 1, "u-42", "Europe/Rome");

    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>) write.serialize(reading, null);

    assertThat(model.getFilter().toBsonDocument().getString("_id").getValue())
        .isEqualTo("loc-1|bed.movement|0|u-42");
  }

  @Test
  void readingsBeforeNineteenSeventyFallIntoTheHourThatContainsThem() {
    MeasuredReading reading =
        new MeasuredReading("loc-1", "gw-1", 3, "bed.movement", "microhub_bed", -1L, 1, null, null);

    UpdateOneModel<BsonDocument> model =
        (UpdateOneModel<BsonDocument>) write.serialize(reading, null);

    assertThat(model.getFilter().toBsonDocument().getString("_id").getValue())
        .isEqualTo("loc-1|bed.movement|-3600|-");
  }
}

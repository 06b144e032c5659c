package org.saam.stream.pipeline;

import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.functions.AssignmentLookup;
import org.saam.stream.functions.JoinFailureRouter;
import org.saam.stream.functions.PersonFeatureOperator;
import org.saam.stream.functions.PersonFeatureWindows;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.MeasuredReading;

/**
 * The stages the streaming job ({@link SensorPipelineJob}) and the batch backfill share, with their
 * operator names and uids: the same uid in both keeps a savepoint's state where it belongs.
 */
public final class SharedStages {
  private SharedStages() {}

  /**
   * The {@code join person} operator, shared with the backfill job. Readings the join failed on
   * (not an outage: see {@link AssignmentLookup}) leave on the side output {@link
   * JoinFailureRouter#FAILED}.
   */
  public static SingleOutputStreamOperator<MeasuredReading> joinPerson(
      DataStream<MeasuredReading> readings,
      AssignmentDirectory.Factory assignments,
      SensorPipelineOptions options) {
    // Ordered: a home's readings leave the join in the order they came (see build).
    return AsyncDataStream.orderedWait(
            readings,
            new AssignmentLookup(
                assignments, options.join().cacheLocations(), options.join().cacheExpiryMillis()),
            options.join().timeoutMillis(),
            TimeUnit.MILLISECONDS,
            1000)
        .name("join person")
        .uid("join-person")
        .process(new JoinFailureRouter())
        .name("route join failures")
        .uid("route-join-failures");
  }

  /**
   * {@code readings of people -> compute features}, shared with the backfill job.
   *
   * @param perPerson each home's own clock (streaming), else the watermark (the batch backfill)
   * @param erasedPeople whose state is dropped and whose features are never emitted
   */
  public static DataStream<FeatureRecord> computeFeatures(
      DataStream<MeasuredReading> attributed,
      SensorPipelineOptions options,
      boolean perPerson,
      ErasedPeople.Factory erasedPeople) {
    return attributed
        .filter(reading -> reading.userId() != null)
        .name("readings of people")
        .uid("readings-of-people")
        .keyBy(MeasuredReading::userId)
        .transform(
            "compute features",
            TypeInformation.of(FeatureRecord.class),
            new PersonFeatureOperator(
                new PersonFeatureWindows(
                    options.eventTime().featureLatenessMillis(),
                    perPerson ? options.eventTime().personTime() : null,
                    erasedPeople)))
        .uid("compute-features");
  }
}

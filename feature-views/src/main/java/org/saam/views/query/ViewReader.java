package org.saam.views.query;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.servicekit.reactive.PublisherIterator;

/**
 * Reads a view's rows in time order, across hour buckets, one page at a time: device views from
 * {@code measurements} (hourly buckets of samples), domain views from {@code features} (one
 * document per person, source and window).
 */
public final class ViewReader {
  private final MongoDatabase database;

  public ViewReader(MongoDatabase database) {
    this.database = database;
  }

  /** One page: at most {@code query.limit()} rows, and the cursor of the next page if any. */
  public record Page(List<Row> rows, Cursor next) {}

  public Page read(ViewQuery query) {
    List<Row> rows = new ArrayList<>(Math.min(query.limit() + 1, 10_000));
    if (query.isDomainView()) {
      readFeatures(query, rows);
    } else {
      readMeasurements(query, rows);
    }
    if (rows.size() > query.limit()) {
      List<Row> page = rows.subList(0, query.limit());
      return new Page(List.copyOf(page), Cursor.after(page.get(page.size() - 1)));
    }
    return new Page(List.copyOf(rows), null);
  }

  private void readMeasurements(ViewQuery query, List<Row> rows) {
    Instant start =
        query.cursor() == null || query.cursor().ts().isBefore(query.from())
            ? query.from()
            : query.cursor().ts();
    Bson filter =
        Filters.and(
            owner(query),
            Filters.in(MeasurementBuckets.SOURCE_ID, query.sources()),
            MeasurementBuckets.hoursCovering(start.toEpochMilli(), query.to().toEpochMilli()));
    List<Row> hour = new ArrayList<>();
    long currentHour = Long.MIN_VALUE;
    try (PublisherIterator<Document> buckets =
        new PublisherIterator<>(
            database
                .getCollection(MeasurementBuckets.COLLECTION)
                .find(filter)
                .sort(Sorts.ascending(MeasurementBuckets.HOUR)))) {
      while (buckets.hasNext()) {
        MeasurementBuckets.Bucket bucket = MeasurementBuckets.read(buckets.next());
        if (bucket.hourStartMillis() != currentHour) {
          if (flush(query, hour, rows)) {
            return;
          }
          currentHour = bucket.hourStartMillis();
        }
        for (MeasurementBuckets.Sample sample : bucket.samples()) {
          hour.add(
              new Row(
                  Instant.ofEpochMilli(sample.tsMillis()),
                  bucket.sourceId(),
                  sample.value(),
                  bucket.locationId(),
                  bucket.userId()));
        }
      }
      flush(query, hour, rows);
    }
  }

  private void readFeatures(ViewQuery query, List<Row> rows) {
    Instant start =
        query.cursor() == null || query.cursor().ts().isBefore(query.from())
            ? query.from()
            : query.cursor().ts();
    Bson filter =
        Filters.and(
            owner(query),
            Filters.in(FeatureRecord.SOURCE_ID, query.sources()),
            Filters.gte(FeatureRecord.WINDOW_START, Date.from(start)),
            Filters.lt(FeatureRecord.WINDOW_START, Date.from(query.to())));
    List<Row> all = new ArrayList<>();
    try (PublisherIterator<Document> features =
        new PublisherIterator<>(
            database
                .getCollection(FeatureRecord.COLLECTION)
                .find(filter)
                .sort(Sorts.ascending(FeatureRecord.WINDOW_START)))) {
      while (features.hasNext()) {
        FeatureRecord feature = FeatureRecord.read(features.next());
        if (feature.value() == null) {
          continue; // a window without enough data has no value
        }
        all.add(
            new Row(
                Instant.ofEpochMilli(feature.windowStartMillis()),
                feature.sourceId(),
                feature.value(),
                feature.locationId(),
                feature.userId()));
        if (all.size() > 4 * (query.limit() + 1)) {
          flush(query, all, rows);
        }
      }
      flush(query, all, rows);
    }
  }

  /** Sorts the collected rows, keeps those in range and after the cursor; true when full. */
  private static boolean flush(ViewQuery query, List<Row> collected, List<Row> rows) {
    collected.sort(null);
    for (Row row : collected) {
      if (row.ts().isBefore(query.from()) || !row.ts().isBefore(query.to())) {
        continue;
      }
      if (query.cursor() != null && !query.cursor().before(row)) {
        continue;
      }
      rows.add(row);
      if (rows.size() > query.limit()) {
        collected.clear();
        return true;
      }
    }
    collected.clear();
    return false;
  }

  private static Bson owner(ViewQuery query) {
    return query.locationId() != null
        ? Filters.eq(MeasurementBuckets.LOCATION_ID, query.locationId())
        : Filters.eq(MeasurementBuckets.USER_ID, query.userId());
  }
}

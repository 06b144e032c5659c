package org.saam.views.query;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Reads a view's rows in time order, across hour buckets, one page at a time: device views from
 * {@code measurements} (hourly buckets of samples), domain views from {@code features} (one
 * document per person, source and window).
 */
public final class ViewReader {
  private static final long HOUR = 3_600_000L;

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
            Filters.in("source_id", query.sources()),
            Filters.gte("hour", new Date(Math.floorDiv(start.toEpochMilli(), HOUR) * HOUR)),
            Filters.lt("hour", Date.from(query.to())));
    List<Row> hour = new ArrayList<>();
    long currentHour = Long.MIN_VALUE;
    try (PublisherIterator<Document> buckets =
        new PublisherIterator<>(
            database.getCollection("measurements").find(filter).sort(Sorts.ascending("hour")))) {
      while (buckets.hasNext()) {
        Document bucket = buckets.next();
        long bucketHour = bucket.getDate("hour").getTime();
        if (bucketHour != currentHour) {
          if (flush(query, hour, rows)) {
            return;
          }
          currentHour = bucketHour;
        }
        Document samples = bucket.get("samples", Document.class);
        if (samples == null) {
          continue;
        }
        for (Map.Entry<String, Object> sample : samples.entrySet()) {
          hour.add(
              new Row(
                  Instant.ofEpochMilli(Long.parseLong(sample.getKey())),
                  bucket.getString("source_id"),
                  ((Number) sample.getValue()).doubleValue(),
                  bucket.getString("location_id"),
                  bucket.getString("user_id")));
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
            Filters.in("source_id", query.sources()),
            Filters.gte("window.start", Date.from(start)),
            Filters.lt("window.start", Date.from(query.to())));
    List<Row> all = new ArrayList<>();
    try (PublisherIterator<Document> features =
        new PublisherIterator<>(
            database
                .getCollection("features")
                .find(filter)
                .sort(Sorts.ascending("window.start")))) {
      while (features.hasNext()) {
        Document feature = features.next();
        Object value = feature.get("value");
        if (!(value instanceof Number number)) {
          continue; // a window without enough data has no value
        }
        all.add(
            new Row(
                feature.get("window", Document.class).getDate("start").toInstant(),
                feature.getString("source_id"),
                number.doubleValue(),
                feature.getString("location_id"),
                feature.getString("user_id")));
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
        ? Filters.eq("location_id", query.locationId())
        : Filters.eq("user_id", query.userId());
  }
}

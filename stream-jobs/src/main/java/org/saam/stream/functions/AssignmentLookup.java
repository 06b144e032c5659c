package org.saam.stream.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.saam.common.records.Assignment;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.JoinOutcome;
import org.saam.stream.records.MeasuredReading;

/**
 * Joins each reading to the person assigned to its location <em>at the reading's timestamp</em>
 * (assignments are time-bounded, so a late reading still goes to whoever lived there then).
 *
 * <p>Assignment lists are kept in a small local cache (bounded, least recently used goes first,
 * entries expire) and dropped when the directory announces a change, so Redis is asked once per
 * location and expiry, not once per reading; concurrent misses for one location share one load. A
 * reading from a location with nobody assigned at that time keeps no person and is counted. A
 * reading in the period of a person who was erased ({@link Assignment#erased()}) is dropped by
 * {@link JoinFailureRouter}: it was theirs, and nothing of theirs is stored after the erasure.
 *
 * <p>Failures: when Redis or the user service is unreachable or slow, the lookup fails and the job
 * restarts from its checkpoint (the readings wait in the queue). Any other failure, one caused by
 * the data rather than by an outage, yields a {@link JoinOutcome#failed failed outcome} that {@link
 * JoinFailureRouter} quarantines as {@code internal_error}; the job goes on.
 *
 * <p>Metrics ({@link PipelineMetrics}): {@code saam_assignment_lookups_total} by outcome ({@code
 * cache_hit}, {@code load}), {@code saam_assignment_invalidations_total}, {@code
 * saam_readings_unassigned_total}.
 */
public final class AssignmentLookup extends RichAsyncFunction<MeasuredReading, JoinOutcome> {
  private static final long serialVersionUID = 1L;

  private final AssignmentDirectory.Factory directoryFactory;
  private final int maxLocations;
  private final long expiryMillis;

  private transient AssignmentDirectory directory;
  private transient ErasedPeople erasedPeople;
  private transient Map<String, Cached> cache;
  private transient Map<String, CompletableFuture<List<Assignment>>> loading;
  private transient Counter hits;
  private transient Counter loads;
  private transient Counter invalidations;
  private transient Counter withoutPerson;

  private record Cached(List<Assignment> assignments, long loadedAtMillis) {}

  /**
   * @param directoryFactory where assignments come from
   * @param maxLocations how many locations the local cache holds
   * @param expiryMillis how long a cached list is used (bounds staleness if a change message is
   *     missed)
   */
  public AssignmentLookup(
      AssignmentDirectory.Factory directoryFactory, int maxLocations, long expiryMillis) {
    this.directoryFactory = directoryFactory;
    this.maxLocations = maxLocations;
    this.expiryMillis = expiryMillis;
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    cache =
        Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > maxLocations;
              }
            });
    loading = new ConcurrentHashMap<>();
    var metrics = getRuntimeContext().getMetricGroup();
    hits = PipelineMetrics.assignmentLookups(metrics, "cache_hit");
    loads = PipelineMetrics.assignmentLookups(metrics, "load");
    invalidations =
        metrics.addGroup(PipelineMetrics.GROUP).counter("assignment_invalidations_total");
    withoutPerson = PipelineMetrics.readingsUnassigned(metrics);
    directory = directoryFactory.open();
    erasedPeople = directoryFactory.erasedPeople().open();
    directory.onChange(
        location -> {
          cache.remove(location);
          invalidations.inc();
        });
  }

  @Override
  public void asyncInvoke(MeasuredReading reading, ResultFuture<JoinOutcome> result) {
    Cached cached = cache.get(reading.locationId());
    if (cached != null && System.currentTimeMillis() - cached.loadedAtMillis() < expiryMillis) {
      hits.inc();
      result.complete(List.of(joinOrFailure(reading, cached.assignments())));
      return;
    }
    assignmentsOf(reading.locationId())
        .whenComplete(
            (assignments, error) -> {
              if (error == null) {
                result.complete(List.of(joinOrFailure(reading, assignments)));
              } else if (isOutage(error)) {
                // Redis or the user service is unreachable or slow: nothing is wrong with the
                // reading. Failing lets the job restart from its checkpoint and try again.
                result.completeExceptionally(error);
              } else {
                result.complete(List.of(JoinOutcome.failed(reading, describe(error))));
              }
            });
  }

  /** Whether a load failed because a dependency is down, rather than because of this location. */
  static boolean isOutage(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof IOException
        || cause instanceof UncheckedIOException
        || cause instanceof TimeoutException
        || cause instanceof InterruptedException;
  }

  private JoinOutcome joinOrFailure(MeasuredReading reading, List<Assignment> assignments) {
    try {
      return join(reading, assignments);
    } catch (RuntimeException e) {
      return JoinOutcome.failed(reading, describe(e));
    }
  }

  private static String describe(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = String.valueOf(cause.getMessage());
    return cause.getClass().getName()
        + ": "
        + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
  }

  private CompletableFuture<List<Assignment>> assignmentsOf(String location) {
    CompletableFuture<List<Assignment>> pending = loading.get(location);
    if (pending != null) {
      return pending;
    }
    CompletableFuture<List<Assignment>> created = new CompletableFuture<>();
    pending = loading.putIfAbsent(location, created);
    if (pending != null) {
      return pending;
    }
    loads.inc();
    directory
        .load(location)
        .whenComplete(
            (assignments, error) -> {
              loading.remove(location, created);
              if (error != null) {
                created.completeExceptionally(error);
              } else {
                cache.put(location, new Cached(assignments, System.currentTimeMillis()));
                created.complete(assignments);
              }
            });
    return created;
  }

  private JoinOutcome join(MeasuredReading reading, List<Assignment> assignments) {
    Instant at = Instant.ofEpochMilli(reading.tsMillis());
    for (Assignment assignment : assignments) {
      if (!assignment.erased() && assignment.covers(at)) {
        if (erasedPeople.contains(assignment.userId().toString())) {
          // A list from before the erasure (an invalidation missed): theirs all the same.
          return JoinOutcome.ofErasedPerson(reading);
        }
        return JoinOutcome.joined(
            reading.withPerson(assignment.userId().toString(), assignment.timeZone()));
      }
    }
    for (Assignment assignment : assignments) {
      if (assignment.erased() && assignment.covers(at)) {
        return JoinOutcome.ofErasedPerson(reading);
      }
    }
    withoutPerson.inc();
    return JoinOutcome.joined(reading.withPerson(null, null));
  }

  @Override
  public void close() throws Exception {
    if (erasedPeople != null) {
      erasedPeople.close();
    }
    if (directory != null) {
      directory.close();
    }
  }
}

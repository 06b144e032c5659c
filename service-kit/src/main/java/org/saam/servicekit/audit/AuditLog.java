package org.saam.servicekit.audit;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log in Elasticsearch {@value #INDEX}: one document per request (who, what, when,
 * outcome; never the health data itself) and the erasure receipts.
 *
 * <p>Neither blocking nor silently dropping: {@link #record} only queues the document in a bounded
 * buffer and returns at once, so a request never waits for Elasticsearch. One writer thread sends
 * the buffer in bulk; while Elasticsearch is unreachable it keeps the documents and tries again
 * (backing off up to {@link #MAX_BACKOFF}), so the backlog is written when it returns. Each
 * document carries its id from the start, so a bulk sent twice (an answer lost on the way) stores
 * it once. Only when the buffer is full is a document refused; that is counted ({@link
 * #dropped()}), logged, and {@link #health()} says so.
 */
public final class AuditLog implements AutoCloseable {
  public static final String INDEX = "saam-audit";

  /** How many documents wait at most while Elasticsearch is away (a few MB). */
  public static final int DEFAULT_CAPACITY = 10_000;

  static final int BATCH = 500;
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  /** Where a batch goes; fails as a whole or names the documents it could not store. */
  @FunctionalInterface
  public interface Destination {
    /** Stores the documents by id; returns the ids it could not store (empty: all stored). */
    List<String> write(List<Pending> batch) throws IOException;
  }

  /** A document waiting to be written, with the id it will have. */
  public record Pending(String id, Map<String, Object> document) {}

  /** What {@link #health()} reports: up, or degraded with the reason. */
  public record Health(boolean up, String detail) {}

  private final BlockingQueue<Pending> waiting;
  private final Destination destination;
  private final Thread writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Duration firstBackoff;
  private volatile String lastError;
  private volatile boolean closing;

  public AuditLog(ElasticsearchClient elasticsearch) {
    this(bulkTo(elasticsearch), DEFAULT_CAPACITY, Duration.ofMillis(500));
  }

  /**
   * @param destination where batches go
   * @param capacity how many documents may wait
   * @param firstBackoff the pause after the first failed write (doubled per failure up to {@link
   *     #MAX_BACKOFF})
   */
  public AuditLog(Destination destination, int capacity, Duration firstBackoff) {
    this.destination = destination;
    this.waiting = new ArrayBlockingQueue<>(capacity);
    this.firstBackoff = firstBackoff;
    this.writer = new Thread(this::run, "audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Queues one audit document; never blocks.
   *
   * @return the id the document will have, or {@code null} when the buffer was full (counted)
   */
  public String record(Map<String, Object> document) {
    Pending pending = new Pending(UUID.randomUUID().toString(), new LinkedHashMap<>(document));
    if (waiting.offer(pending)) {
      return pending.id();
    }
    long lost = dropped.incrementAndGet();
    if (Long.bitCount(lost) == 1) { // 1, 2, 4, 8, ...: a trace without flooding the log
      LOG.error(
          "audit buffer full ({} waiting, Elasticsearch: {}); {} records dropped so far",
          waiting.size(),
          lastError,
          lost);
    }
    return null;
  }

  /** Documents waiting to be written. */
  public int backlog() {
    return waiting.size();
  }

  /** Documents refused because the buffer was full, since start. */
  public long dropped() {
    return dropped.get();
  }

  /** Failed bulk writes (each retried), since start. */
  public long failures() {
    return failures.get();
  }

  /** Documents stored, since start. */
  public long written() {
    return written.get();
  }

  /**
   * Up while writes succeed and nothing was dropped; degraded (requests still served) while
   * Elasticsearch does not take the records or after any was dropped.
   */
  public Health health() {
    String error = lastError;
    long lost = dropped.get();
    if (error == null && lost == 0) {
      return new Health(true, "up");
    }
    StringBuilder detail = new StringBuilder("degraded: ");
    detail.append(waiting.size()).append(" records waiting");
    if (lost > 0) {
      detail.append(", ").append(lost).append(" dropped (buffer full)");
    }
    if (error != null) {
      detail.append("; last write failed: ").append(error);
    }
    return new Health(false, detail.toString());
  }

  /** Writes what is waiting (for at most 10 s) and stops the writer. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.interrupt();
    if (!waiting.isEmpty()) {
      LOG.error("audit log closed with {} records not written", waiting.size());
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(BATCH);
    Duration backoff = firstBackoff;
    while (!(closing && waiting.isEmpty() && batch.isEmpty())) {
      try {
        if (batch.isEmpty()) {
          Pending first = waiting.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          waiting.drainTo(batch, BATCH - 1);
        }
        List<String> failed = destination.write(batch);
        written.addAndGet(batch.size() - failed.size());
        if (failed.isEmpty()) {
          batch.clear();
          lastError = null;
          backoff = firstBackoff;
          continue;
        }
        batch.removeIf(p -> !failed.contains(p.id()));
        throw new IOException(failed.size() + " documents refused by Elasticsearch");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        failures.incrementAndGet();
        if (lastError == null) {
          LOG.warn(
              "audit records not written, keeping {} to retry: {}", batch.size(), e.toString());
        }
        lastError = e.toString();
        if (closing) {
          return;
        }
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
      }
    }
  }

  /** A bulk request to {@value #INDEX}, each document by its id. */
  static Destination bulkTo(ElasticsearchClient elasticsearch) {
    return batch -> {
      BulkResponse response =
          elasticsearch.bulk(
              bulk -> {
                for (Pending pending : batch) {
                  bulk.operations(
                      op ->
                          op.index(
                              i -> i.index(INDEX).id(pending.id()).document(pending.document())));
                }
                return bulk;
              });
      if (!response.errors()) {
        return List.of();
      }
      List<String> failed = new ArrayList<>();
      for (BulkResponseItem item : response.items()) {
        if (item.error() == null) {
          continue;
        }
        if (item.status() == 429 || item.status() >= 500) {
          failed.add(item.id()); // Elasticsearch is busy or unwell: kept and retried
        } else {
          // Refused for good (a mapping conflict, say): retrying would block every later record.
          LOG.error(
              "audit record {} refused by Elasticsearch: {}", item.id(), item.error().reason());
        }
      }
      return failed;
    };
  }
}

package org.saam.servicekit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The buffer between requests and Elasticsearch, with a destination the test switches off. */
class AuditLogTest {

  /** Stores what it is given while reachable; refuses like a dead socket otherwise. */
  static final class Switchable implements AuditLog.Destination {
    final AtomicBoolean reachable = new AtomicBoolean(true);
    final List<String> stored = Collections.synchronizedList(new ArrayList<>());

    @Override
    public List<String> write(List<AuditLog.Pending> batch) throws IOException {
      if (!reachable.get()) {
        throw new ConnectException("Connection refused");
      }
      batch.forEach(p -> stored.add(p.id()));
      return List.of();
    }
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 10 s for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void whileTheStoreIsAwayRecordsWaitAndAreWrittenOnceWhenItReturns() throws Exception {
    Switchable store = new Switchable();
    store.reachable.set(false);
    try (AuditLog audit = new AuditLog(store, 100, Duration.ofMillis(20))) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add(audit.record(Map.of("route", "/v1/users", "n", i)));
      }
      waitFor("a failed write", () -> audit.failures() > 0);
      assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
      assertThat(audit.health().up()).isFalse();
      assertThat(audit.health().detail())
          .startsWith("degraded: ")
          .contains("records waiting")
          .contains("Connection refused");
      assertThat(store.stored).isEmpty();

      store.reachable.set(true);
      waitFor("the backlog written", () -> audit.written() == 40);
      assertThat(store.stored).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(audit.backlog()).isZero();
      waitFor("health up again", () -> audit.health().up());
      assertThat(audit.dropped()).isZero();
    }
  }

  @Test
  void aFullBufferRefusesAtOnceCountsAndSaysSoInItsHealth() throws Exception {
    Switchable store = new Switchable();
    store.reachable.set(false);
    try (AuditLog audit = new AuditLog(store, 10, Duration.ofSeconds(5))) {
      long started = System.nanoTime();
      int accepted = 0;
      for (int i = 0; i < 1_000; i++) {
        if (audit.record(Map.of("n", i)) != null) {
          accepted++;
        }
      }
      // Never waits for the store: a thousand calls against a dead one take no time at all.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      // Ten in the buffer, and possibly one batch the writer already holds for its retry: the
      // record it waited for plus what it drained after it, which is at most a full buffer again
      // (the buffer may refill by one between the two).
      assertThat(accepted).isBetween(10, 21);
      assertThat(audit.dropped()).isEqualTo(1_000 - accepted);
      assertThat(audit.health().detail()).contains((1_000 - accepted) + " dropped (buffer full)");

      store.reachable.set(true);
      int kept = accepted;
      waitFor("what was accepted written", () -> audit.written() == kept);
      assertThat(store.stored).hasSize(kept);
      // Dropped records stay reported: an operator must learn that the trail has a gap.
      assertThat(audit.health().up()).isFalse();
    }
  }

  @Test
  void closingWritesWhatIsWaiting() {
    Switchable store = new Switchable();
    AuditLog audit = new AuditLog(store, 1_000, Duration.ofMillis(20));
    for (int i = 0; i < 600; i++) {
      audit.record(Map.of("n", i));
    }
    audit.close();
    assertThat(store.stored).hasSize(600);
  }
}

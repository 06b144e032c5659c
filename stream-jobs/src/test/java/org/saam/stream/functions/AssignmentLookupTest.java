package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.records.Assignment;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.JoinOutcome;
import org.saam.stream.records.MeasuredReading;

class AssignmentLookupTest {
  private static final UUID ANA = UUID.randomUUID();
  private static final UUID BOR = UUID.randomUUID();
  private static final Instant MOVE = Instant.parse("2026-11-20T12:00:00Z");

  /** A hand-written directory: fixed lists, a load counter and a switch to announce changes. */
  static final class FakeDirectory implements AssignmentDirectory {
    final Map<String, List<Assignment>> lists = new HashMap<>();
    final Map<String, Throwable> failures = new HashMap<>();
    final List<String> loads = new ArrayList<>();
    Consumer<String> listener;

    @Override
    public CompletableFuture<List<Assignment>> load(String locationId) {
      loads.add(locationId);
      Throwable failure = failures.get(locationId);
      return failure != null
          ? CompletableFuture.failedFuture(failure)
          : CompletableFuture.completedFuture(lists.getOrDefault(locationId, List.of()));
    }

    @Override
    public void onChange(Consumer<String> listener) {
      this.listener = listener;
    }

    @Override
    public void close() {}
  }

  private FakeDirectory directory;
  private OneInputStreamOperatorTestHarness<MeasuredReading, JoinOutcome> harness;

  @BeforeEach
  void openLookup() throws Exception {
    directory = new FakeDirectory();
    directory.lists.put(
        "loc-1",
        List.of(
            new Assignment(
                UUID.randomUUID(),
                "loc-1",
                ANA,
                Instant.parse("2026-01-01T00:00:00Z"),
                MOVE,
                "Europe/Rome"),
            new Assignment(UUID.randomUUID(), "loc-1", BOR, MOVE, null, "Europe/Sofia")));
    FakeDirectory shared = directory;
    AssignmentDirectory.Factory factory = () -> shared;
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<>(
                new AssignmentLookup(factory, 100, 60_000),
                5_000,
                100,
                AsyncDataStream.OutputMode.ORDERED),
            TypeInformation.of(MeasuredReading.class).createSerializer(new ExecutionConfig()));
    harness.open();
  }

  @AfterEach
  void closeLookup() throws Exception {
    harness.close();
  }

  private static MeasuredReading reading(String location, Instant at) {
    return new MeasuredReading(
        location, "gw", 1, "bed.presence", "microhub_bed", at.toEpochMilli(), 1, null, null);
  }

  private List<MeasuredReading> joined(MeasuredReading... readings) throws Exception {
    for (MeasuredReading reading : readings) {
      harness.processElement(reading, reading.tsMillis());
    }
    harness.endInput();
    return harness.extractOutputValues().stream().map(JoinOutcome::reading).toList();
  }

  @Test
  void joinsThePersonAssignedAtTheReadingsTimeEvenWhenReadingsArriveOutOfOrder() throws Exception {
    List<MeasuredReading> out =
        joined(
            reading("loc-1", MOVE.plusSeconds(60)),
            reading("loc-1", MOVE.minusSeconds(60)),
            reading("loc-1", MOVE),
            reading("loc-1", MOVE.minusMillis(1)));

    assertThat(out)
        .extracting(MeasuredReading::userId)
        .containsExactly(BOR.toString(), ANA.toString(), BOR.toString(), ANA.toString());
    assertThat(out.get(0).timeZone()).isEqualTo("Europe/Sofia");
    assertThat(out.get(1).timeZone()).isEqualTo("Europe/Rome");
  }

  @Test
  void readingsOfAnEmptyOrUnknownHomeKeepNoPerson() throws Exception {
    List<MeasuredReading> out =
        joined(reading("loc-1", Instant.parse("2025-06-01T00:00:00Z")), reading("loc-9", MOVE));

    assertThat(out).extracting(MeasuredReading::userId).containsOnlyNulls();
  }

  @Test
  void asksTheDirectoryOncePerLocationUntilAChangeIsAnnounced() throws Exception {
    harness.processElement(reading("loc-1", MOVE), 1);
    harness.processElement(reading("loc-1", MOVE.plusSeconds(1)), 2);
    harness.processElement(reading("loc-1", MOVE.plusSeconds(2)), 3);
    assertThat(directory.loads).containsExactly("loc-1");

    directory.lists.put("loc-1", List.of());
    directory.listener.accept("loc-1");
    harness.processElement(reading("loc-1", MOVE.plusSeconds(3)), 4);
    harness.endInput();

    assertThat(directory.loads).containsExactly("loc-1", "loc-1");
    assertThat(harness.extractOutputValues().get(3).reading().userId()).isNull();
  }

  @Test
  void aLoadThatFailsOnTheDataYieldsAFailedOutcomeAndTheNextReadingsGoOn() throws Exception {
    directory.failures.put(
        "loc-7", new IllegalStateException("assignment list is not the user service's JSON"));

    harness.processElement(reading("loc-7", MOVE), 1);
    harness.processElement(reading("loc-1", MOVE), 2);
    harness.endInput();

    List<JoinOutcome> out = harness.extractOutputValues();
    assertThat(out.get(0).failure())
        .startsWith("java.lang.IllegalStateException: assignment list is not");
    assertThat(out.get(1).failure()).isNull();
    assertThat(out.get(1).reading().userId()).isEqualTo(BOR.toString());
  }

  @Test
  void readingsOfAnErasedPersonsPeriodAreMarkedErasedAlsoWhenLateAndAfterItNobodysOrTheNextOnes()
      throws Exception {
    Instant erasedAt = Instant.parse("2026-10-01T00:00:00Z");
    Instant next = Instant.parse("2026-10-05T00:00:00Z");
    directory.lists.put(
        "loc-2",
        List.of(
            new Assignment(UUID.randomUUID(), "loc-2", BOR, next, null, "Europe/Sofia"),
            Assignment.erasedPeriod("loc-2", Instant.parse("2026-01-01T00:00:00Z"), erasedAt)));

    harness.processElement(reading("loc-2", erasedAt.plusSeconds(60)), 1);
    harness.processElement(reading("loc-2", erasedAt.minusSeconds(60)), 2); // late, theirs
    harness.processElement(reading("loc-2", next.plusSeconds(60)), 3);
    harness.processElement(reading("loc-2", Instant.parse("2025-12-31T23:59:59Z")), 4);
    harness.endInput();

    List<JoinOutcome> out = harness.extractOutputValues();
    assertThat(out).extracting(JoinOutcome::erased).containsExactly(false, true, false, false);
    assertThat(out.get(0).reading().userId()).as("between the periods: nobody").isNull();
    assertThat(out.get(2).reading().userId()).isEqualTo(BOR.toString());
    assertThat(out.get(3).reading().userId()).as("before the erased period: nobody").isNull();
  }

  @Test
  void aListFromBeforeAnErasureStillDropsTheErasedPersonsReadings() throws Exception {
    harness.close();
    FakeDirectory stale = directory;
    AssignmentDirectory.Factory factory =
        new AssignmentDirectory.Factory() {
          @Override
          public AssignmentDirectory open() {
            return stale;
          }

          @Override
          public ErasedPeople.Factory erasedPeople() {
            return () ->
                new ErasedPeople() {
                  @Override
                  public boolean contains(String userId) {
                    return ANA.toString().equals(userId);
                  }

                  @Override
                  public void close() {}
                };
          }
        };
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<>(
                new AssignmentLookup(factory, 100, 60_000),
                5_000,
                100,
                AsyncDataStream.OutputMode.ORDERED),
            TypeInformation.of(MeasuredReading.class).createSerializer(new ExecutionConfig()));
    harness.open();

    harness.processElement(reading("loc-1", MOVE.minusSeconds(60)), 1); // Ana's, erased
    harness.processElement(reading("loc-1", MOVE.plusSeconds(60)), 2); // Bor's
    harness.endInput();

    List<JoinOutcome> out = harness.extractOutputValues();
    assertThat(out).extracting(JoinOutcome::erased).containsExactly(true, false);
    assertThat(out.get(1).reading().userId()).isEqualTo(BOR.toString());
  }

  @Test
  void anUnreachableDirectoryIsAnOutageNotAProblemOfTheReading() {
    assertThat(AssignmentLookup.isOutage(new java.io.IOException("connection refused"))).isTrue();
    assertThat(
            AssignmentLookup.isOutage(
                new java.util.concurrent.CompletionException(
                    new java.net.http.HttpTimeoutException("timed out"))))
        .isTrue();
    assertThat(AssignmentLookup.isOutage(new IllegalStateException("bad JSON"))).isFalse();
  }
}

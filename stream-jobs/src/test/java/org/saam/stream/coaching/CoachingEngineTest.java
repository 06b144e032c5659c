package org.saam.stream.coaching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.records.CoachingEvent;
import org.saam.stream.features.FeatureWindow;

class CoachingEngineTest {
  private static final ZoneId ROME = ZoneId.of("Europe/Rome");
  private static final CoachingRules RULES = CoachingRules.loadDefault();
  private final CoachingEngine engine = new CoachingEngine(RULES);

  private static CoachingRule rule(String id) {
    return RULES.rules().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static CoachingEngine.Window night(LocalDate date, Double value, double coverage) {
    FeatureWindow window = FeatureWindow.night(date, ROME);
    return new CoachingEngine.Window(window.start(), window.end(), ROME, value, coverage);
  }

  private static CoachingEngine.Window day(LocalDate date, Double value, double coverage) {
    FeatureWindow window = FeatureWindow.day(date, ROME);
    return new CoachingEngine.Window(window.start(), window.end(), ROME, value, coverage);
  }

  /** Runs nights of total sleep (minutes) through the sleep rule, returning the events. */
  private List<CoachingEvent> nights(
      CoachingEngine.History history, LocalDate first, double... sleep) {
    List<CoachingEvent> events = new ArrayList<>();
    for (int i = 0; i < sleep.length; i++) {
      engine
          .evaluate(
              rule("sleep.short_nights"),
              "u-1",
              "loc-1",
              night(first.plusDays(i), sleep[i], 1.0),
              history)
          .ifPresent(events::add);
    }
    return events;
  }

  @Test
  void shippedRulesCoverEveryDomainTheIssueNames() {
    assertThat(RULES.rules())
        .extracting(CoachingRule::domain)
        .contains("sleep", "activity", "mobility", "cardiovascular", "social", "nutrition");
  }

  @Test
  void threeShortNightsInARowFireExactlyOneEventWithItsEvidence() {
    List<CoachingEvent> events =
        nights(
            new CoachingEngine.History(), LocalDate.of(2026, 11, 1), 420, 280, 270, 260, 250, 430);

    assertThat(events)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.ruleId()).isEqualTo("sleep.short_nights");
              assertThat(event.domain()).isEqualTo("sleep");
              assertThat(event.evidence())
                  .extracting(CoachingEvent.Evidence::value)
                  .containsExactly(280.0, 270.0, 260.0);
              assertThat(event.eventId())
                  .isEqualTo(
                      CoachingEngine.eventId(
                          "sleep.short_nights",
                          "u-1",
                          FeatureWindow.night(LocalDate.of(2026, 11, 4), ROME).start()));
            });
  }

  @Test
  void replayingTheSameNightsGivesTheSameEventIdAndNoSecondEvent() {
    CoachingEngine.History history = new CoachingEngine.History();
    List<CoachingEvent> first = nights(history, LocalDate.of(2026, 11, 1), 280, 270, 260);
    List<CoachingEvent> again = nights(history, LocalDate.of(2026, 11, 1), 280, 270, 260);
    List<CoachingEvent> fresh =
        nights(new CoachingEngine.History(), LocalDate.of(2026, 11, 1), 280, 270, 260);

    assertThat(first).hasSize(1);
    assertThat(again).isEmpty();
    assertThat(fresh.get(0).eventId()).isEqualTo(first.get(0).eventId());
  }

  @Test
  void thinNightsBreakTheRunAndTheCooldownHoldsBackASecondEvent() {
    CoachingEngine.History history = new CoachingEngine.History();
    CoachingRule sleep = rule("sleep.short_nights");
    LocalDate start = LocalDate.of(2026, 11, 1);
    assertThat(engine.evaluate(sleep, "u", "l", night(start, 200.0, 1), history)).isEmpty();
    assertThat(engine.evaluate(sleep, "u", "l", night(start.plusDays(1), 200.0, 0.3), history))
        .isEmpty();
    assertThat(engine.evaluate(sleep, "u", "l", night(start.plusDays(2), 200.0, 1), history))
        .isEmpty();
    assertThat(engine.evaluate(sleep, "u", "l", night(start.plusDays(3), 200.0, 1), history))
        .isEmpty();
    Optional<CoachingEvent> fired =
        engine.evaluate(sleep, "u", "l", night(start.plusDays(4), 200.0, 1), history);
    assertThat(fired).isPresent();

    List<CoachingEvent> withinCooldown = nights(history, start.plusDays(5), 200, 200, 200);
    List<CoachingEvent> afterCooldown = nights(history, start.plusDays(12), 200, 200, 200);

    assertThat(withinCooldown).isEmpty();
    assertThat(afterCooldown).hasSize(1);
  }

  @Test
  void aBaselineRuleComparesWithThePersonsOwnMedianOnceThereIsEnoughHistory() {
    CoachingRule steps = rule("activity.steps_drop");
    CoachingEngine.History history = new CoachingEngine.History();
    LocalDate start = LocalDate.of(2026, 10, 1);
    List<CoachingEvent> events = new ArrayList<>();
    // Three low days before any history: no baseline yet, nothing fires.
    for (int i = 0; i < 3; i++) {
      engine
          .evaluate(steps, "u", "l", day(start.plusDays(i), 1000.0, 1), history)
          .ifPresent(events::add);
    }
    for (int i = 3; i < 17; i++) {
      engine
          .evaluate(steps, "u", "l", day(start.plusDays(i), 5000.0 + i, 1), history)
          .ifPresent(events::add);
    }
    assertThat(events).isEmpty();
    for (int i = 17; i < 20; i++) {
      engine
          .evaluate(steps, "u", "l", day(start.plusDays(i), 2000.0, 1), history)
          .ifPresent(events::add);
    }

    assertThat(events)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.evidence())
                  .allSatisfy(e -> assertThat(e.baseline()).isGreaterThan(5000));
              assertThat(event.severity()).isEqualTo("info");
            });
  }

  @Test
  void anEventDueInTheQuietHoursArrivesWhenTheyEnd() {
    // Day windows end at midnight, inside the quiet hours (21:00-08:00): sent at 08:00.
    CoachingRule meals = rule("nutrition.few_meals");
    CoachingEngine.History history = new CoachingEngine.History();
    LocalDate start = LocalDate.of(2026, 11, 3);
    engine.evaluate(meals, "u", "l", day(start, 1.0, 1), history);
    CoachingEvent event =
        engine.evaluate(meals, "u", "l", day(start.plusDays(1), 1.0, 1), history).orElseThrow();

    assertThat(event.ts()).isEqualTo(start.plusDays(2).atTime(8, 0).atZone(ROME).toInstant());
    // Night windows end at noon: outside the quiet hours, sent at once.
    CoachingEvent sleep = nights(new CoachingEngine.History(), start, 200, 200, 200).get(0);
    assertThat(sleep.ts()).isEqualTo(FeatureWindow.night(start.plusDays(2), ROME).end());
  }

  @Test
  void rulesFileIsCheckedWithMessagesNamingTheRuleAndField() {
    SourceCatalogue catalogue = SourceCatalogue.loadDefault();
    String template =
        """
        rules:
          - id: %s
            feature: %s
            condition: {type: threshold, op: %s, value: 1}
            consecutive: 2
            min_coverage: 0.5
            cooldown: %s
            severity: info
            message_key: k
        """;

    assertThatThrownBy(
            () -> load(template.formatted("r1", "feature.sleep.dreams", "below", "P1D"), catalogue))
        .hasMessageContaining("rule 'r1'")
        .hasMessageContaining("feature.sleep.dreams");
    assertThatThrownBy(
            () ->
                load(
                    template.formatted("r2", "feature.sleep.efficiency", "under", "P1D"),
                    catalogue))
        .hasMessageContaining("rule 'r2'")
        .hasMessageContaining("condition.op");
    assertThatThrownBy(
            () ->
                load(
                    template.formatted("r3", "feature.sleep.efficiency", "below", "a week"),
                    catalogue))
        .hasMessageContaining("rule 'r3'")
        .hasMessageContaining("cooldown 'a week'");
    assertThatThrownBy(
            () -> load(template.formatted("r4", "bed.presence", "below", "P1D"), catalogue))
        .hasMessageContaining("not a feature source");
  }

  private static CoachingRules load(String yaml, SourceCatalogue catalogue) {
    return CoachingRules.load(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml", catalogue);
  }
}

package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.saam.stream.records.JoinOutcome;
import org.saam.stream.records.MeasuredReading;

/** A reading of an erased person's period is neither passed on nor quarantined. */
class JoinFailureRouterErasedTest {
  @Test
  void anErasedPersonsReadingGoesNowhere() throws Exception {
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new JoinFailureRouter()))) {
      harness.open();
      MeasuredReading reading =
          new MeasuredReading("loc-1", "gw", 1, "bed.presence", "x", 1_000, 1, null, null);
      harness.processElement(JoinOutcome.ofErasedPerson(reading), 1_000);
      harness.processElement(JoinOutcome.joined(reading), 1_000);

      assertThat(harness.extractOutputValues()).hasSize(1);
      assertThat(harness.getSideOutput(JoinFailureRouter.FAILED)).isNullOrEmpty();
    }
  }
}

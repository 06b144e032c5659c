package org.saam.stream.functions;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.records.MeasuredReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compute-features operator: {@link PersonFeatureWindows} in a keyed process operator that,
 * when it starts, moves the state of the first feature layout (restored from a savepoint or
 * checkpoint of an earlier version) into the current one, person by person, before the first
 * reading. A job started without such state finds no person to move and goes on at once.
 */
public final class PersonFeatureOperator
    extends KeyedProcessOperator<String, MeasuredReading, FeatureRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PersonFeatureOperator.class);

  private final PersonFeatureWindows windows;

  public PersonFeatureOperator(PersonFeatureWindows windows) {
    super(windows);
    this.windows = windows;
  }

  @Override
  public void open() throws Exception {
    super.open();
    // Every person with any state of the first layout: readings, or only a clock (a quiet home).
    KeyedStateBackend<String> backend = getKeyedStateBackend();
    Set<String> people = new LinkedHashSet<>();
    for (String state : PersonFeatureWindows.FIRST_LAYOUT_STATES) {
      try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
        keys.forEach(people::add);
      }
    }
    for (String person : people) {
      setCurrentKey(person);
      windows.migrateFirstLayout();
    }
    if (!people.isEmpty()) {
      LOG.info(
          "compute features: moved the readings of {} people from the first state layout into"
              + " the current one",
          people.size());
    }
    getMetricGroup().gauge("featureStateMigratedPeople", people::size);
  }
}
